/**
 * The startOpenKms examples in the other two runners: vitest and node:test, each run as a user
 * would run it, against the built @openkms/server (the e2e target builds its dependencies first).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const E2E = resolve(__dirname, '../..');
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' };

jest.setTimeout(180_000);

/** Runs a command in packages/e2e; resolves with its exit code and output, whatever the code. */
async function runInE2e(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: E2E, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

it('the vitest example passes under `npx vitest run`', async () => {
  const { code, output } = await runInE2e('npx', ['vitest', 'run', '--root', 'test/test-helper', 'vitest-example.test.ts']);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/Tests\s+2 passed \(2\)/) });
});

it('the node:test example passes under `node --test`', async () => {
  const { code, output } = await runInE2e(process.execPath, ['--test', 'test/test-helper/node-test-example.test.mjs']);
  expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/# pass 1\n# fail 0/) });
});
