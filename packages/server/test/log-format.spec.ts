/**
 * Logs for people and machines: `--log-format json|pretty`, pretty by default when standard
 * output is a terminal (resolved with an injected isTTY; the spawned command's stdout is a
 * pipe), redaction in both formats, and a failed start as one readable line on stderr beside
 * the JSON record on stdout. The command runs as `node bin/openkms-server.js` (../dist).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig, resolveServerConfig } from '../src/config';
import { operations } from '../src/generated';
import { redactingLogger } from '../src/http/request-log';
import { createLogger } from '../src/runtime/logger';
import { runOpenkms, startServerProcess, type NodeProcess } from '../src/testing';

jest.setTimeout(60_000);

const SERVER_ROOT = resolve(__dirname, '..');
let tempRoot: string;
const spawned: NodeProcess[] = [];

beforeAll(() => {
  if (!existsSync(join(SERVER_ROOT, 'dist', 'cli.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: SERVER_ROOT, stdio: 'inherit' });
  }
  tempRoot = mkdtempSync(join(tmpdir(), 'openkms-log-format-'));
}, 120_000);

afterEach(async () => {
  await Promise.all(spawned.splice(0).map((proc) => proc.kill()));
});

afterAll(() => {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});

function collect(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('the log format setting', () => {
  it('defaults to pretty on a terminal and json otherwise; a flag or OPENKMS_LOG_FORMAT wins', () => {
    expect(resolveServerConfig({}, { stdoutIsTTY: true }).logFormat).toBe('pretty');
    expect(resolveServerConfig({}, { stdoutIsTTY: false }).logFormat).toBe('json');
    expect(resolveServerConfig({ logFormat: 'json' }, { stdoutIsTTY: true }).logFormat).toBe('json');
    expect(resolveServerConfig({ logFormat: 'pretty' }, { stdoutIsTTY: false }).logFormat).toBe('pretty');
    expect(parseConfig(['node', 'openkms-server', '--log-format', 'pretty'], {}).logFormat).toBe('pretty');
    expect(parseConfig(['node', 'openkms-server'], { OPENKMS_LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('redacts the spec’s sensitive fields in pretty output as in JSON', () => {
    for (const logFormat of ['pretty', 'json'] as const) {
      const out = collect();
      const log = redactingLogger(createLogger({ logLevel: 'info', logFormat }, out.stream), operations);
      log.info({ body: { plain_text: 'SECRET-PLAINTEXT-1', datakey_cipher_length: '64' } }, 'a handler logged a body');
      expect(out.text()).toContain('a handler logged a body');
      expect(out.text()).toContain('[redacted]');
      expect(out.text()).not.toContain('SECRET-PLAINTEXT-1');
      if (logFormat === 'pretty') expect(out.text().trimStart().startsWith('{')).toBe(false);
    }
  });
});

describe('the command', () => {
  it('--log-format pretty writes readable lines, not JSON; --log-format json writes JSON lines', async () => {
    const pretty = runOpenkms(['--port', '0', '--store', 'memory', '--data-dir', join(tempRoot, 'pretty'), '--log-format', 'pretty'], {
      cwd: tempRoot,
    });
    spawned.push(pretty);
    await pretty.waitUntil(() => (pretty.stdout().includes('openkms server listening') ? true : undefined), 'the pretty listening line');
    const lines = pretty
      .stdout()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.some((line) => /INFO.*openkms server listening/.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);

    const json = await startServerProcess(['--store', 'memory', '--data-dir', join(tempRoot, 'json'), '--log-format', 'json'], {
      cwd: tempRoot,
    });
    spawned.push(json);
    for (const line of json
      .stdout()
      .split('\n')
      .filter((l) => l.trim() !== ''))
      expect(() => JSON.parse(line)).not.toThrow();
  });

  it('a failed start: one line on stderr without a stack, the JSON record on stdout, exit 1', async () => {
    const rootKeyFile = join(tempRoot, 'bad-root.key');
    writeFileSync(rootKeyFile, 'not a root key\n', { mode: 0o600 });
    const proc = runOpenkms(
      ['--port', '0', '--store', 'memory', '--data-dir', join(tempRoot, 'fatal'), '--root-key-file', rootKeyFile, '--log-format', 'json'],
      { cwd: tempRoot },
    );
    spawned.push(proc);
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    const stderrLines = proc
      .stderr()
      .split('\n')
      .filter((line) => line !== '');
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(/^openkms-server: failed to start: \S/);
    expect(stderrLines[0]).not.toMatch(/\bat .*:\d+:\d+/);
    const records = proc
      .stdout()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const fatal = records.find((record) => record.msg === 'openkms server failed to start');
    expect(fatal).toMatchObject({ level: 60, err: { type: expect.any(String), message: expect.any(String) } });
    expect(stderrLines[0]).toContain((fatal!.err as { message: string }).message.replace(/\s+/g, ' ').trim());
  });
});
