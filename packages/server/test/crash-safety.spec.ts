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
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KmsService, RootKey, SqliteKeyStore, type Scope } from '@openkms/core';

jest.setTimeout(120_000);

const BIN = resolve(__dirname, '../bin/openkms-server.js');
/** Guard against a hang only; never a timing assertion. */
const START_TIMEOUT_MS = 20_000;
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
const token = `okms_${randomBytes(32).toString('base64url')}`;
const scope: Scope = { domainId: randomBytes(16).toString('hex'), projectId: randomBytes(16).toString('hex') };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-crash-'));
  writeFileSync(
    join(work, 'tokens.json'),
    JSON.stringify({
      tokens: [{ name: 'crash-test', token_sha256: createHash('sha256').update(token).digest('hex'), domain_id: scope.domainId, projects: [scope.projectId] }],
    }),
  );
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
}

function start(dataDir: string): Promise<Running> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENKMS_')));
  const child = spawn(process.execPath, [BIN, '--port', '0', '--data-dir', dataDir, '--token-file', join(work, 'tokens.json')], {
    cwd: work,
    env: { ...env, OPENKMS_ROOT_KEY: rootKeyHex },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolveRunning, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // Only the first line with the URL matters; the flag keeps later output from being scanned.
    let found = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (found) return;
      out += chunk.toString();
      const line = out.split('\n').slice(0, -1).find((candidate) => candidate.includes('"openkms server listening"'));
      if (!line) return;
      found = true;
      clearTimeout(timer);
      resolveRunning({ child, url: (JSON.parse(line) as { url: string }).url, exited });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${err}`));
    });
  });
}

async function post(url: string, operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1.0/${scope.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * Workers create keys and data keys until `acked` reaches `killAt`; then the process is
 * SIGKILLed with requests still in flight. Only answers that arrived count as acknowledged.
 */
async function runUntilKilled(running: Running, killAt: number, keys: AckedKey[], dataKeys: AckedDataKey[], unexpected: string[]): Promise<void> {
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
        const made = await post(running.url, 'create-datakey', { key_id: target.keyId, datakey_length: n % 2 ? '256' : '512', encryption_context: context });
        if (made.status !== 200) {
          unexpected.push(`create-datakey ${made.status} ${JSON.stringify(made.json)}`);
          continue;
        }
        dataKeys.push({ keyId: target.keyId, plainText: made.json.plain_text as string, cipherText: made.json.cipher_text as string, context });
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
      const opened = await service.decryptDataKey(scope, { ciphertext: Buffer.from(dataKey.cipherText, 'hex'), encryptionContext: dataKey.context });
      expect(opened.keyId).toBe(dataKey.keyId);
      expect(opened.plaintext.toString('hex').toUpperCase()).toBe(dataKey.plainText);
    }

    // No half-written key: every row in the store (acknowledged or not) is complete and its
    // wrapped material unwraps, which createDataKey proves.
    const db = new Database(join(dataDir, 'keys.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT key_id, key_alias FROM keys WHERE domain_id = ? AND project_id = ?').all(scope.domainId, scope.projectId) as Array<{
      key_id: string;
      key_alias: string;
    }>;
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(keys.length);
    for (const row of rows) {
      const made = await service.createDataKey(scope, { keyId: row.key_id, datakeyLength: '256' });
      expect(made.keyId).toBe(row.key_id);
    }
    const stored = new Set(rows.map((row) => row.key_id));
    expect(keys.filter((key) => !stored.has(key.keyId))).toEqual([]);
  } finally {
    await store.close();
  }
});
