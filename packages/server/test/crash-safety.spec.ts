/**
 * Crash safety of the embedded store: the real `openkms-server` process is killed with
 * SIGKILL while concurrent create-key and create-datakey requests are in flight, restarted
 * on the same data directory, and killed again, at several points. Afterwards every key
 * whose creation was answered 200 must exist and work, every data key answered 200 must
 * decrypt to the bytes that were returned, and no key in the store may be half-written.
 *
 * This is a process crash (the OS and its page cache survive); power loss is covered only
 * by the store's WAL + synchronous=FULL setting, not by this test.
 */
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsService, RootKey, SqliteKeyStore, type Scope } from '@openkms/core';
import { newTenant, startServerProcess, writeTokenFile, type ServerProcess } from '../src/testing';
import { postKms } from './support';

jest.setTimeout(120_000);

/** Acknowledged operations (keys + data keys) after which each run is killed. */
const KILL_POINTS = [15, 60, 140, 230] as const;
const WORKERS = 8;

interface AckedKey {
  readonly keyId: string;
  readonly alias: string;
}
interface AckedDataKey {
  readonly keyId: string;
  readonly plainText: string;
  readonly cipherText: string;
  readonly context: Record<string, string>;
}

let work: string;
const rootKeyHex = randomBytes(32).toString('hex');
const tenant = newTenant();
const token = tenant.token;
const scope: Scope = { domainId: tenant.domainId, projectId: tenant.projectId };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-crash-'));
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

type Running = ServerProcess;

function start(dataDir: string): Promise<Running> {
  return startServerProcess(['--data-dir', dataDir, '--token-file', join(work, 'tokens.json')], {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: rootKeyHex },
  });
}

function post(url: string, operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return postKms(url, { projectId: scope.projectId, token }, operation, body);
}

/**
 * Workers create keys and data keys until `acked` reaches `killAt`; then the process is
 * SIGKILLed with requests still in flight. Only answers that arrived count as acknowledged.
 */
async function runUntilKilled(
  running: Running,
  killAt: number,
  keys: AckedKey[],
  dataKeys: AckedDataKey[],
  unexpected: string[],
): Promise<void> {
  let acked = 0;
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    running.child.kill('SIGKILL');
  };
  const worker = async (index: number) => {
    for (let n = 0; !killed; n++) {
      try {
        const alias = `crash/${index}/${randomUUID()}`;
        const created = await post(running.url, 'create-key', { key_alias: alias, sequence: randomUUID() });
        if (created.status !== 200) {
          unexpected.push(`create-key ${created.status} ${JSON.stringify(created.json)}`);
          continue;
        }
        const keyId = (created.json.key_info as { key_id: string }).key_id;
        keys.push({ keyId, alias });
        if (++acked >= killAt) kill();
        // Data keys under this key and the ones before it, so that keys of earlier runs are used too.
        const target = keys[(n * 7 + index) % keys.length]!;
        const context = { worker: String(index), n: String(n) };
        const made = await post(running.url, 'create-datakey', {
          key_id: target.keyId,
          datakey_length: n % 2 ? '256' : '512',
          encryption_context: context,
        });
        if (made.status !== 200) {
          unexpected.push(`create-datakey ${made.status} ${JSON.stringify(made.json)}`);
          continue;
        }
        dataKeys.push({
          keyId: target.keyId,
          plainText: made.json.plain_text as string,
          cipherText: made.json.cipher_text as string,
          context,
        });
        if (++acked >= killAt) kill();
      } catch {
        // A request cut off by the kill: not acknowledged, so it proves nothing either way.
        if (!killed) throw new Error('a request failed while the server was alive');
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
  await running.exited;
}

it('every acknowledged key and data key survives repeated SIGKILLs under concurrent load, and no key is half-written', async () => {
  const dataDir = join(work, 'data');
  const keys: AckedKey[] = [];
  const dataKeys: AckedDataKey[] = [];
  const unexpected: string[] = [];

  for (const killAt of KILL_POINTS) {
    const running = await start(dataDir);
    await runUntilKilled(running, killAt, keys, dataKeys, unexpected);
    expect(running.child.signalCode).toBe('SIGKILL');
  }
  expect(unexpected).toEqual([]);
  expect(keys.length).toBeGreaterThanOrEqual(KILL_POINTS.length * WORKERS);

  // After the last crash: every acknowledged key answers by ID and by alias, as itself.
  const survivor = await start(dataDir);
  try {
    for (const { keyId, alias } of keys) {
      const byAlias = await post(survivor.url, 'create-datakey', { key_id: `alias/${alias}`, datakey_length: '256' });
      expect({ alias, status: byAlias.status, keyId: byAlias.json.key_id }).toEqual({ alias, status: 200, keyId });
    }
    // An alias whose creation was acknowledged cannot be taken again.
    const again = await post(survivor.url, 'create-key', { key_alias: keys[0]!.alias });
    expect(again.json).toEqual({ error: expect.objectContaining({ error_code: 'KMS.1104' }) });
  } finally {
    survivor.child.kill('SIGTERM');
    await survivor.exited;
  }

  // Every acknowledged data key opens, with its context, to the bytes the client was given.
  const store = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
  try {
    const service = await KmsService.open({ store, rootKey: RootKey.fromEncoded(rootKeyHex), region: 'local-1' });
    for (const dataKey of dataKeys) {
      const opened = await service.decryptDataKey(scope, {
        ciphertext: Buffer.from(dataKey.cipherText, 'hex'),
        encryptionContext: dataKey.context,
      });
      expect(opened.keyId).toBe(dataKey.keyId);
      expect(opened.plaintext.toString('hex').toUpperCase()).toBe(dataKey.plainText);
    }

    // No half-written key: every row in the store (acknowledged or not) is complete and its
    // wrapped material unwraps, which createDataKey proves.
    const db = new Database(join(dataDir, 'keys.sqlite'), { readonly: true });
    const rows = db
      .prepare('SELECT key_id, key_alias FROM keys WHERE domain_id = ? AND project_id = ?')
      .all(scope.domainId, scope.projectId) as Array<{
      key_id: string;
      key_alias: string;
    }>;
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(keys.length);
    for (const row of rows) {
      const made = await service.createDataKey(scope, { keyId: row.key_id, datakeyBits: 256 });
      expect(made.keyId).toBe(row.key_id);
    }
    const stored = new Set(rows.map((row) => row.key_id));
    expect(keys.filter((key) => !stored.has(key.keyId))).toEqual([]);
  } finally {
    await store.close();
  }
});
