/**
 * `openkms-server backup`: taken from a live server under load, restored into a fresh data
 * directory, it serves the same keys, and data keys made before the backup decrypt.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { KmsService, RootKey, SqliteKeyStore } from '@openkms/core';
import { runBackupCommand } from '../src/commands/backup';
import { cleanEnvironment, newTenant, SERVER_BIN, startServerProcess, writeTokenFile, type ServerProcess } from '../src/testing';

jest.setTimeout(60_000);

const rootKeyHex = randomBytes(32).toString('hex');
const tenant = newTenant();
const token = tenant.token;
const scope = { domainId: tenant.domainId, projectId: tenant.projectId };
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-backup-cmd-'));
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = () => cleanEnvironment({ OPENKMS_ROOT_KEY: rootKeyHex });

function start(dataDir: string): Promise<ServerProcess> {
  return startServerProcess(['--data-dir', dataDir, '--token-file', join(work, 'tokens.json')], {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: rootKeyHex },
  });
}

async function post(url: string, operation: string, body: unknown): Promise<Record<string, unknown> & { status: number }> {
  const res = await fetch(`${url}/v1.0/${scope.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as Record<string, unknown>) };
}

it('backs up a serving store consistently; the restored copy serves the keys and opens earlier data keys', async () => {
  const live = await start(join(work, 'live'));
  const made: Array<{ alias: string; keyId: string; cipherText: string; plainText: string }> = [];
  for (let n = 0; n < 15; n++) {
    const alias = `bk/${n}`;
    const keyId = ((await post(live.url, 'create-key', { key_alias: alias })).key_info as { key_id: string }).key_id;
    const dataKey = await post(live.url, 'create-datakey', { key_id: keyId, datakey_length: '256', encryption_context: { n: String(n) } });
    made.push({ alias, keyId, cipherText: dataKey.cipher_text as string, plainText: dataKey.plain_text as string });
  }

  // Load keeps running during the backup: the server is not stopped or paused.
  let loading = true;
  let duringLoad = 0;
  const load = (async () => {
    while (loading) {
      expect((await post(live.url, 'create-key', { key_alias: `during/${randomUUID()}` })).status).toBe(200);
      duringLoad += 1;
    }
  })();
  const backupFile = join(work, 'backup.sqlite');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [SERVER_BIN, 'backup', '--data-dir', join(work, 'live'), '--to', backupFile],
    { env: env() },
  );
  loading = false;
  await load;
  await live.stop();
  expect(JSON.parse(stdout.split('\n')[0]!)).toMatchObject({ msg: 'backup written', file: backupFile });
  expect(statSync(backupFile).mode & 0o777).toBe(0o600);
  expect(duringLoad).toBeGreaterThan(0);

  // Restore: a new data directory whose store is the backup.
  mkdirSync(join(work, 'restored'), { mode: 0o700 });
  copyFileSync(backupFile, join(work, 'restored', 'keys.sqlite'));
  const restored = await start(join(work, 'restored'));
  try {
    for (const { alias, keyId } of made) {
      expect((await post(restored.url, 'create-datakey', { key_id: `alias/${alias}`, datakey_length: '512' })).key_id).toBe(keyId);
    }
  } finally {
    await restored.stop();
  }
  const store = new SqliteKeyStore(join(work, 'restored', 'keys.sqlite'));
  try {
    const service = await KmsService.open({ store, rootKey: RootKey.fromEncoded(rootKeyHex), region: 'local-1' });
    for (const [n, dataKey] of made.entries()) {
      const opened = await service.decryptDataKey(scope, {
        ciphertext: Buffer.from(dataKey.cipherText, 'hex'),
        encryptionContext: { n: String(n) },
      });
      expect(opened.plaintext.toString('hex').toUpperCase()).toBe(dataKey.plainText);
    }
  } finally {
    await store.close();
  }
});

it('refuses to overwrite a file and explains usage errors', async () => {
  writeFileSync(join(work, 'exists.sqlite'), 'x');
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [SERVER_BIN, 'backup', ...args], { env: env() }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
  expect(await run(['--data-dir', join(work, 'live'), '--to', join(work, 'exists.sqlite')])).toBe(1);
  expect(await run(['--data-dir', join(work, 'live')])).toBe(2); // a usage error (no --to): exit 2, as every command's bad usage
  expect(await run(['--data-dir', join(work, 'nowhere'), '--to', join(work, 'b2.sqlite')])).toBe(1);
});

it('reads OPENKMS_DATA_DIR from the environment it is given (a flag wins), not from process.env', async () => {
  const written: string[] = [];
  const errors = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const fromEnv = { OPENKMS_DATA_DIR: join(work, 'live') };
    const code = await runBackupCommand(['--to', join(work, 'from-env.sqlite')], fromEnv, (text) => written.push(text));
    expect(code).toBe(0);
    expect(JSON.parse(written[0]!)).toMatchObject({ msg: 'backup written', file: join(work, 'from-env.sqlite') });
    expect(statSync(join(work, 'from-env.sqlite')).size).toBeGreaterThan(0);

    expect(await runBackupCommand(['--to', join(work, 'b3.sqlite')], { OPENKMS_DATA_DIR: join(work, 'nowhere') }, () => {})).toBe(1);
    expect(String(errors.mock.calls.at(-1)?.[0])).toContain(join(work, 'nowhere', 'keys.sqlite'));
    const flagWins = ['--data-dir', join(work, 'live'), '--to', join(work, 'b4.sqlite')];
    expect(await runBackupCommand(flagWins, { OPENKMS_DATA_DIR: join(work, 'nowhere') }, () => {})).toBe(0);

    // process.env is not read: with an empty environment the default data dir (.openkms, relative to the cwd) is used.
    process.env.OPENKMS_DATA_DIR = join(work, 'live');
    expect(await runBackupCommand(['--to', join(work, 'b5.sqlite')], {}, () => {})).toBe(1);
    expect(String(errors.mock.calls.at(-1)?.[0])).toContain(resolve('.openkms', 'keys.sqlite'));
  } finally {
    delete process.env.OPENKMS_DATA_DIR;
    errors.mockRestore();
  }
});
