/**
 * Root key rotation as an operator runs it on the embedded store, with real processes: the
 * server keeps answering create-key, create-datakey and decrypt-datakey while the root key
 * file is swapped, the server is told with SIGHUP, and `openkms-server rewrap` runs, and is
 * SIGKILLed at two points and run again. Every request during all of it must succeed, and
 * afterwards the new root key alone must open every key, the old one none.
 */
import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootKey, wrappingRootKeyId, type Scope } from '@openkms/core';
import { newTenant, runOpenkms, startServerProcess, writeTokenFile, type NodeProcess, type ServerProcess } from '../src/testing';
import { postKms } from './support';

jest.setTimeout(120_000);

const KEYS_BEFORE = 40;
const READERS = 4;

let work: string;
let dataDir: string;
let tokenFile: string;
const tenant = newTenant();
const token = tenant.token;
const scope: Scope = { domainId: tenant.domainId, projectId: tenant.projectId };
const spawned: NodeProcess[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-rotation-'));
  dataDir = join(work, 'data');
  tokenFile = join(work, 'tokens.json');
  writeTokenFile(tokenFile, [tenant]);
});
afterEach(async () => {
  for (const proc of spawned.splice(0)) await proc.kill();
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess(['--data-dir', dataDir, '--token-file', tokenFile], { cwd: work, env });
  spawned.push(server);
  return server;
}

function rewrap(args: readonly string[] = []): NodeProcess {
  const proc = runOpenkms(['rewrap', '--data-dir', dataDir, '--batch-size', '3', ...args], { cwd: work });
  spawned.push(proc);
  return proc;
}

function post(url: string, operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return postKms(url, { projectId: scope.projectId, token }, operation, body);
}

interface MadeDataKey {
  readonly keyId: string;
  readonly plainText: string;
  readonly cipherText: string;
  readonly context: Record<string, string>;
}

async function makeKeyWithDataKey(url: string, alias: string): Promise<MadeDataKey> {
  const created = await post(url, 'create-key', { key_alias: alias });
  expect(created.status).toBe(200);
  const keyId = (created.json.key_info as { key_id: string }).key_id;
  const context = { alias };
  const made = await post(url, 'create-datakey', { key_id: keyId, datakey_length: '256', encryption_context: context });
  expect(made.status).toBe(200);
  return { keyId, plainText: made.json.plain_text as string, cipherText: made.json.cipher_text as string, context };
}

/** Decrypts every data key through the API and returns what went wrong (nothing, when all open to their bytes). */
async function decryptAll(url: string, made: readonly MadeDataKey[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const dataKey of made) {
    const opened = await post(url, 'decrypt-datakey', {
      key_id: dataKey.keyId,
      cipher_text: dataKey.cipherText,
      datakey_cipher_length: '32',
      encryption_context: dataKey.context,
    });
    if (opened.status !== 200 || opened.json.data_key !== dataKey.plainText)
      wrong.push(`${dataKey.keyId}: ${opened.status} ${JSON.stringify(opened.json)}`);
  }
  return wrong;
}

/** Root key IDs named by the stored materials, counted. */
function wrappingCounts(): Record<string, number> {
  const db = new Database(join(dataDir, 'keys.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT wrapped_material FROM keys WHERE wrapped_material IS NOT NULL').all() as Array<{
      wrapped_material: Buffer;
    }>;
    const counts: Record<string, number> = {};
    for (const { wrapped_material } of rows) {
      const id = wrappingRootKeyId(wrapped_material) ?? 'unknown';
      counts[id] = (counts[id] ?? 0) + 1;
    }
    return counts;
  } finally {
    db.close();
  }
}

it('rotates the root key online: readers and writers never fail, an interrupted rewrap resumes, and only the new key opens the store after', async () => {
  const server = await startServer();
  const made: MadeDataKey[] = [];
  for (let i = 0; i < KEYS_BEFORE; i++) made.push(await makeKeyWithDataKey(server.url, `before/${i}`));
  const oldKeyHex = readFileSync(join(dataDir, 'root.key'), 'utf8').trim();
  const oldId = RootKey.fromEncoded(oldKeyHex).checkValue();
  expect(wrappingCounts()).toEqual({ [oldId]: KEYS_BEFORE });

  // Clients keep working through the whole rotation; every answer must be a 200 with the right bytes.
  let rotating = true;
  const failures: string[] = [];
  const madeDuring: MadeDataKey[] = [];
  let requestsDuring = 0;
  const reader = async (index: number) => {
    for (let n = 0; rotating; n++) {
      try {
        const known = made[(index * 13 + n) % made.length]!;
        failures.push(...(await decryptAll(server.url, [known])));
        const fresh = await post(server.url, 'create-datakey', { key_id: known.keyId, datakey_length: '128' });
        if (fresh.status !== 200) failures.push(`create-datakey ${fresh.status} ${JSON.stringify(fresh.json)}`);
        if (n % 4 === 0) madeDuring.push(await makeKeyWithDataKey(server.url, `during/${index}/${randomUUID()}`));
      } catch (error) {
        failures.push(String(error));
      }
      requestsDuring += 3;
    }
  };
  const readers = Array.from({ length: READERS }, (_, index) => reader(index));

  // Step 1: the old key becomes the previous one, and the server makes and holds a new one.
  renameSync(join(dataDir, 'root.key'), join(dataDir, 'root.key.previous'));
  server.child.kill('SIGHUP');
  const reloaded = await server.waitForLine((line) => line.msg === 'root keys reloaded', 'the "root keys reloaded" log line');
  expect(reloaded).toMatchObject({ created: true, previous_root_key: oldId, active_root_key: oldId });
  expect(statSync(join(dataDir, 'root.key')).mode & 0o777).toBe(0o600);
  const newKeyHex = readFileSync(join(dataDir, 'root.key'), 'utf8').trim();
  const newId = RootKey.fromEncoded(newKeyHex).checkValue();
  expect(reloaded.root_key).toBe(newId);

  // Step 2: rewrap, killed twice part-way (after 1 and after 4 batches), then run to the end.
  for (const batches of [1, 4]) {
    const interrupted = rewrap();
    await interrupted.waitForLine(
      (line) => line.msg === 'rewrap progress' && line.pass === 1 && (line.examined as number) >= batches * 3,
      `batch ${batches}`,
    );
    interrupted.child.kill('SIGKILL');
    expect((await interrupted.exited).signal).toBe('SIGKILL');
  }
  const counts = wrappingCounts();
  expect(counts[newId]).toBeGreaterThan(0);
  expect(counts[oldId]).toBeGreaterThan(0);

  const finished = rewrap();
  expect(await finished.exited).toEqual({ code: 0, signal: null });
  const summary = JSON.parse(
    finished
      .stdout()
      .split('\n')
      .find((line) => line.includes('"rewrap finished"'))!,
  ) as Record<string, unknown>;
  expect(summary).toMatchObject({ finished: true, active: newId, retired: oldId, unreadable_keys: [] });
  expect(finished.stdout()).toContain(`root key ${oldId} is retired`);

  // A few more requests after the rotation, then the clients stop.
  const afterRotation = requestsDuring;
  while (requestsDuring < afterRotation + 3 * READERS) await new Promise((resolve) => setTimeout(resolve, 20));
  rotating = false;
  await Promise.all(readers);
  expect(failures).toEqual([]);
  expect(madeDuring.length).toBeGreaterThan(0);
  expect(wrappingCounts()).toEqual({ [newId]: KEYS_BEFORE + madeDuring.length });

  // The previous key is no longer needed: without it, the server opens every key, old and new.
  await server.stop();
  unlinkSync(join(dataDir, 'root.key.previous'));
  const after = await startServer();
  expect(await decryptAll(after.url, [...made, ...madeDuring])).toEqual([]);
  await after.stop();

  // The old root key alone is refused at start, before serving.
  const old = runOpenkms(['--port', '0', '--data-dir', dataDir, '--token-file', tokenFile], {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: oldKeyHex },
  });
  spawned.push(old);
  expect((await old.exited).code).toBe(1);
  expect(old.stdout()).toMatch(/check value mismatch/);

  // The audit trail records the runs; no root key appears in it or in any output.
  const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8');
  const maintenance = audit
    .split('\n')
    .filter((line) => line.includes('"type":"maintenance"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(maintenance[maintenance.length - 1]).toMatchObject({
    operation: 'rewrap',
    outcome: 'success',
    active_root_key: newId,
    retired_root_key: oldId,
    rewrapped: expect.any(Number),
  });
  for (const text of [audit, server.stdout(), server.stderr(), finished.stdout(), after.stdout(), old.stdout()]) {
    for (const secret of [oldKeyHex, newKeyHex]) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
  }
});

it('refuses to rewrap without the store’s root key, and when there is no store', async () => {
  const missingStore = runOpenkms(['rewrap', '--data-dir', join(work, 'nowhere')], { cwd: work });
  spawned.push(missingStore);
  expect((await missingStore.exited).code).toBe(1);
  expect(missingStore.stderr()).toMatch(/no key store at .*keys\.sqlite; is --data-dir right\?/);
  expect(existsSync(join(work, 'nowhere', 'root.key'))).toBe(false);

  // A store under one root key; another key alone is not enough, and nothing changes.
  const ownDir = join(work, 'own');
  const server = await startServerProcess(['--data-dir', ownDir, '--token-file', tokenFile], { cwd: work });
  spawned.push(server);
  await makeKeyWithDataKey(server.url, 'own/key');
  await server.stop();
  const strangerHex = randomBytes(32).toString('hex');
  const wrongKey = runOpenkms(['rewrap', '--data-dir', ownDir], { cwd: work, env: { OPENKMS_ROOT_KEY: strangerHex } });
  spawned.push(wrongKey);
  expect((await wrongKey.exited).code).toBe(1);
  expect(wrongKey.stderr()).toMatch(/which is not among the root keys given .*, as the previous root key/);
  expect(wrongKey.stderr()).not.toContain(strangerHex);
  const ownKeyId = RootKey.fromEncoded(readFileSync(join(ownDir, 'root.key'), 'utf8')).checkValue();
  const db = new Database(join(ownDir, 'keys.sqlite'), { readonly: true });
  try {
    expect(db.prepare('SELECT name, value FROM meta').all()).toEqual([{ name: 'root_key_check_value', value: ownKeyId }]);
  } finally {
    db.close();
  }
});
