/**
 * Dev mode's fixed access key pair (--dev-access-key/--dev-secret-key, or their variables) and
 * startOpenKms's: given both or neither, formats checked, the SK never in an error, the banner
 * shows how to sign with the pair, and the pair never reaches the store. Requests signed by the
 * official SDK core against these servers are in packages/e2e/test/sdk/dev-access-key.spec.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_KEY_ID_PATTERN, SECRET_KEY_PATTERN } from '@openkms/core';
import { DEV_DEFAULT_CREDENTIALS } from '../src/dev/dev-credentials';
import { runOpenkms, startOpenKms, startServerProcess } from '../src/testing';

jest.setTimeout(120_000);

const AK = 'DEVTESTAK0123456789Z';
const SK = 'devTestSecretKey0123456789abcdefghijABCD';
/** An SK of the wrong length: what a refusal must never repeat. */
const BAD_SK = 'notQuiteASecretKey0123456789';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-dev-ak-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a start that must be refused and returns its exit and output. */
async function refused(args: readonly string[], env: Record<string, string> = {}) {
  const run = runOpenkms(['--port', '0', ...args], { env });
  const exit = await run.exited;
  return { exit, stderr: run.stderr(), stdout: run.stdout() };
}

/** The dev banner follows the "listening" line the launcher waits for: waits for its last line (bounded). */
async function bannerOf(proc: { stderr(): string }): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (!/NOT FOR PRODUCTION[\s\S]*never in the store/.test(proc.stderr()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return proc.stderr();
}

describe('the default dev pair', () => {
  it('has the formats of the store’s access keys', () => {
    expect(DEV_DEFAULT_CREDENTIALS.accessKeyId).toMatch(ACCESS_KEY_ID_PATTERN);
    expect(DEV_DEFAULT_CREDENTIALS.secretKey).toMatch(SECRET_KEY_PATTERN);
  });
});

describe('--dev-access-key and --dev-secret-key (processes)', () => {
  it('the banner shows the given pair and how to sign with it; with --data-dir the pair is not written to the store', async () => {
    const dataDir = join(work, 'data');
    const proc = await startServerProcess(['--dev', '--data-dir', dataDir], {
      env: { OPENKMS_DEV_ACCESS_KEY: AK, OPENKMS_DEV_SECRET_KEY: SK },
    });
    try {
      const banner = await bannerOf(proc);
      expect(banner).toContain(`  access_key:   ${AK}\n`);
      expect(banner).toContain(`  secret_key:   ${SK}\n`);
      const { projectId } = DEV_DEFAULT_CREDENTIALS;
      expect(banner).toContain(
        `createKmsClient({ endpoint: '${proc.url}', projectId: '${projectId}', accessKey: '${AK}', secretKey: '${SK}' })`,
      );
      expect(banner).toContain(`BasicCredentials().withAk('${AK}').withSk('${SK}').withProjectId('${projectId}')`);
      // Logs never carry the SK, even in dev mode.
      expect(proc.stdout()).not.toContain(SK);
    } finally {
      await proc.stop();
    }
    const listed = runOpenkms(['access-key', 'list', '--data-dir', dataDir, '--output', 'json']);
    expect((await listed.exited).code).toBe(0);
    expect(JSON.parse(listed.stdout())).toEqual([]);
  });

  it('without flags, the banner shows the default pair', async () => {
    const proc = await startServerProcess(['--dev']);
    try {
      const banner = await bannerOf(proc);
      expect(banner).toContain(`  access_key:   ${DEV_DEFAULT_CREDENTIALS.accessKeyId}\n`);
      expect(banner).toContain(`  secret_key:   ${DEV_DEFAULT_CREDENTIALS.secretKey}\n`);
    } finally {
      await proc.stop();
    }
  });

  it('refuses one of the pair without the other, from flags or variables: one line, exit 2', async () => {
    for (const [args, env] of [
      [['--dev', '--dev-access-key', AK], {}],
      [['--dev', '--dev-secret-key', SK], {}],
      [['--dev'], { OPENKMS_DEV_SECRET_KEY: SK }],
      [['--dev', '--dev-access-key', AK], { OPENKMS_DEV_TOKEN: 'okms_some_dev_token' }],
    ] as const) {
      const run = await refused(args, env);
      expect({ args, env, ...run }).toEqual({
        args,
        env,
        exit: { code: 2, signal: null },
        stderr: 'error: --dev-access-key and --dev-secret-key go together: give both or neither (see openkms-server --help)\n',
        stdout: '',
      });
    }
  });

  it('refuses a malformed SK without ever showing it, from the flag or the variable', async () => {
    const expected = {
      exit: { code: 2, signal: null },
      stderr:
        'error: --dev-secret-key (or OPENKMS_DEV_SECRET_KEY) must be 40 letters and digits; the value given is not shown (see openkms-server --help)\n',
      stdout: '',
    };
    expect(await refused(['--dev', '--dev-access-key', AK, '--dev-secret-key', BAD_SK])).toEqual(expected);
    expect(await refused(['--dev'], { OPENKMS_DEV_ACCESS_KEY: AK, OPENKMS_DEV_SECRET_KEY: BAD_SK })).toEqual(expected);
    // 40 characters, one of them not a letter or digit.
    expect(await refused(['--dev', '--dev-access-key', AK, '--dev-secret-key', `${SK.slice(0, 39)}-`])).toEqual(expected);
  });

  it('refuses a malformed AK: the flag quotes it (an AK is not secret), the variable is named', async () => {
    const lower = AK.toLowerCase();
    const fromFlag = await refused(['--dev', '--dev-access-key', lower, '--dev-secret-key', SK]);
    expect(fromFlag.exit).toEqual({ code: 2, signal: null });
    expect(fromFlag.stderr).toMatch(
      /^error: option '--dev-access-key <ak>' argument '.*' is invalid\. expected 20 upper-case letters and digits/,
    );
    expect(fromFlag.stderr).not.toContain(SK);
    const fromEnv = await refused(['--dev'], { OPENKMS_DEV_ACCESS_KEY: `${AK}X`, OPENKMS_DEV_SECRET_KEY: SK });
    expect(fromEnv.stderr).toBe(
      "error: option '--dev-access-key <ak>' from env 'OPENKMS_DEV_ACCESS_KEY' is invalid. expected 20 upper-case letters and digits (see openkms-server --help)\n",
    );
  });

  it('refuses the pair without --dev, as a usage error', async () => {
    const run = await refused(['--dev-access-key', AK, '--dev-secret-key', SK]);
    expect(run.exit.code).toBe(2);
    expect(run.stderr).toContain('--dev-access-key, --dev-secret-key need --dev');
    expect(run.stderr).not.toContain(SK);
  });
});

describe('startOpenKms({ accessKeyId, secretKey })', () => {
  it('returns the given pair', async () => {
    const kms = await startOpenKms({ accessKeyId: AK, secretKey: SK });
    try {
      expect(kms).toMatchObject({ accessKeyId: AK, secretKey: SK });
      expect(await kms.server.accessKeys.find(AK)).toMatchObject({ accessKeyId: AK, secretKey: SK, projects: [kms.projectId] });
    } finally {
      await kms.stop();
    }
  });

  it('refuses one without the other, and malformed values, never quoting the SK', async () => {
    await expect(startOpenKms({ accessKeyId: AK })).rejects.toThrow('startOpenKms: accessKeyId and secretKey go together');
    await expect(startOpenKms({ secretKey: SK })).rejects.toThrow('startOpenKms: accessKeyId and secretKey go together');
    await expect(startOpenKms({ accessKeyId: 'short', secretKey: SK })).rejects.toThrow('must be 20 upper-case letters and digits');
    const badSecret = await startOpenKms({ accessKeyId: AK, secretKey: BAD_SK }).then(
      () => new Error('expected a refusal'),
      (error: Error) => error,
    );
    expect(badSecret.message).toBe('startOpenKms: secretKey must be 40 letters and digits; the value given is not shown');
    expect(`${badSecret.message}\n${badSecret.stack}`).not.toContain(BAD_SK);
  });
});
