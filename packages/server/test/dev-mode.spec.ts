/**
 * Dev mode and seeds: a data key saved as a fixture in one run decrypts in any later run from the
 * same seed (in-process and across processes), seeds are idempotent, bad seeds are refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runOpenkms, startOpenKms, startServerProcess, type OpenKms } from '../src/testing';
import { DEV_DEFAULT_CREDENTIALS } from '../src/dev/dev-credentials';
import { parseSeed } from '../src/dev/seed-file';
import { postKms } from './support';

/**
 * The dev banner: written to stderr just after the "listening" line the launcher waits for, so
 * it may arrive a moment later. Waits for its last line (bounded, never a timing assertion).
 */
async function bannerOf(proc: { stderr(): string }): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (!/NOT FOR PRODUCTION[\s\S]*list-keys/.test(proc.stderr()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return proc.stderr();
}

jest.setTimeout(120_000);

const FIXTURES = resolve(__dirname, 'fixtures/seed');
const SEED_FILE = join(FIXTURES, 'fixture-seed.yaml');
/** Made once by create-datakey against a dev server started from SEED_FILE (see its _comment). */
const FIXTURE = JSON.parse(readFileSync(join(FIXTURES, 'fixture-datakey.json'), 'utf8')) as {
  key_id: string;
  encryption_context: Record<string, string>;
  cipher_text: string;
  plain_text: string;
};

const decryptFixture = (url: string, auth: { projectId: string; token: string }, cipherText = FIXTURE.cipher_text) =>
  postKms(url, auth, 'decrypt-datakey', {
    key_id: FIXTURE.key_id,
    cipher_text: cipherText,
    datakey_cipher_length: '32',
    encryption_context: FIXTURE.encryption_context,
  });

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-dev-mode-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('seed fixtures (in-process, startOpenKms)', () => {
  let server: OpenKms | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('decrypts the committed fixture cipher_text in a fresh run from the same seed', async () => {
    server = await startOpenKms({ seed: SEED_FILE });
    expect(server.seeded).toEqual({ created: 2, unchanged: 0 });
    const opened = await decryptFixture(server.url, server);
    expect(opened.status).toBe(200);
    expect(opened.json.data_key).toBe(FIXTURE.plain_text);
    const pending = await postKms(server.url, server, 'describe-key', { key_id: 'alias/byok-pending' });
    expect(pending.json.key_info).toMatchObject({ key_id: '6e2b8d3f-4c5e-4f70-9b8c-0d1e2f3a4b5c', key_state: '5', origin: 'external' });
  });

  it('refuses the fixture when the seed gives its key other material', async () => {
    server = await startOpenKms({
      seed: { keys: [{ key_id: FIXTURE.key_id, key_alias: 'fixture-aes', key_material: 'cd'.repeat(32) }] },
    });
    const opened = await decryptFixture(server.url, server);
    expect({ status: opened.status, code: (opened.json.error as { error_code: string }).error_code }).toEqual({
      status: 400,
      code: 'KMS.2203',
    });
  });

  it('takes fixed credentials, and a seed re-applied to its store is idempotent while a conflicting one names its line', async () => {
    const dataDir = join(work, 'reused');
    const credentials = { token: 'okms_fixed_test_token', projectId: 'fixed-project', domainId: 'ab'.repeat(16) };
    server = await startOpenKms({ seed: SEED_FILE, store: 'sqlite', dataDir, ...credentials });
    expect(server).toMatchObject(credentials);
    const { rootKeyHex } = server;
    await server.stop();

    server = await startOpenKms({ seed: SEED_FILE, store: 'sqlite', dataDir, rootKeyHex, ...credentials });
    expect(server.seeded).toEqual({ created: 0, unchanged: 2 });
    expect((await decryptFixture(server.url, server)).json.data_key).toBe(FIXTURE.plain_text);
    await server.stop();
    server = undefined;

    const conflicting = join(work, 'conflicting.yaml');
    writeFileSync(conflicting, readFileSync(SEED_FILE, 'utf8').replace('for committed test fixtures', 'another description'));
    await expect(startOpenKms({ seed: conflicting, store: 'sqlite', dataDir, rootKeyHex, ...credentials })).rejects.toThrow(
      `${conflicting}:4: seed key ${FIXTURE.key_id} exists with another key_description`,
    );
  });
});

describe('openkms-server --dev (processes)', () => {
  it('two processes started from the same seed accept the same fixed token and open each other’s data keys', async () => {
    const [first, second] = await Promise.all([
      startServerProcess(['--dev', '--seed', SEED_FILE]),
      startServerProcess(['--dev', '--seed', SEED_FILE], { env: { OPENKMS_DEV_TOKEN: 'okms_token_from_env' } }),
    ]);
    try {
      const { projectId } = DEV_DEFAULT_CREDENTIALS;
      const [firstBanner, secondBanner] = [await bannerOf(first), await bannerOf(second)];
      expect(firstBanner).toContain('NOT FOR PRODUCTION');
      expect(firstBanner).toContain(`X-Auth-Token: ${DEV_DEFAULT_CREDENTIALS.token}`);
      expect(firstBanner).toContain(`curl -s -X POST ${first.url}/v1.0/${projectId}/kms/create-key`);
      expect(secondBanner).toContain('X-Auth-Token: okms_token_from_env');

      const made = await postKms(first.url, DEV_DEFAULT_CREDENTIALS, 'create-datakey', {
        key_id: 'alias/fixture-aes',
        encryption_context: FIXTURE.encryption_context,
      });
      expect(made.status).toBe(200);
      const opened = await decryptFixture(second.url, { projectId, token: 'okms_token_from_env' }, made.json.cipher_text as string);
      expect(opened.json.data_key).toBe(made.json.plain_text);
      expect((await decryptFixture(first.url, DEV_DEFAULT_CREDENTIALS)).json.data_key).toBe(FIXTURE.plain_text);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('refuses a bad seed file with one line on stderr naming the line and the reason, and exits 2', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, `{\n  "keys": [\n    {"key_id": "${FIXTURE.key_id}", "key_alias": "a", "key_state": "3"}\n  ]\n}\n`);
    const run = runOpenkms(['--dev', '--port', '0', '--seed', bad]);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toBe(
      `openkms-server: seed refused: ${bad}:3: keys.0.key_state must be one of "2", "5" (a seed creates keys enabled ("2", origin kms) or pending import ("5", origin external); quote it in YAML)\n`,
    );
  });

  it('with --data-dir keeps the keys there, re-applies the seed unchanged, and leaves the directory’s token file alone', async () => {
    const dataDir = join(work, 'dev-data');
    const args = ['--dev', '--data-dir', dataDir, '--seed', SEED_FILE];
    const first = await startServerProcess(args);
    expect(await bannerOf(first)).toContain('(2 keys created, 0 already present)');
    const made = await postKms(first.url, DEV_DEFAULT_CREDENTIALS, 'create-key', { key_alias: 'made-in-first-run' });
    expect(made.status).toBe(200);
    await first.stop();

    const second = await startServerProcess(args);
    try {
      expect(await bannerOf(second)).toContain('(0 keys created, 2 already present)');
      const described = await postKms(second.url, DEV_DEFAULT_CREDENTIALS, 'describe-key', { key_id: 'alias/made-in-first-run' });
      expect(described.status).toBe(200);
      expect(existsSync(join(dataDir, 'keys.sqlite'))).toBe(true);
      expect(existsSync(join(dataDir, 'tokens.json'))).toBe(false);
    } finally {
      await second.stop();
    }
  });

  it('refuses dev flags without --dev, as a usage error', async () => {
    const run = runOpenkms(['--port', '0', '--seed', SEED_FILE]);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain('--seed needs --dev');
  });
});

describe('the README', () => {
  const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');

  it('shows a seed example the server accepts, and the default dev credentials', () => {
    const section = readme.slice(readme.indexOf('#### Seed files'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    expect(parseSeed(example, 'yaml', 'README.md').seed.keys.map((key) => key.key_alias)).toEqual(['fixture-aes', 'byok-pending']);
    for (const value of Object.values(DEV_DEFAULT_CREDENTIALS)) expect(readme).toContain(`\`${value}\``);
    expect(readme).toContain(`/v1.0/${DEV_DEFAULT_CREDENTIALS.projectId}/kms/create-key`);
    expect(readme).toContain(`X-Auth-Token: ${DEV_DEFAULT_CREDENTIALS.token}`);
  });
});
