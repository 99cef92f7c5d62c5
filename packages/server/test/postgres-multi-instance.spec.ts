/**
 * Two real `openkms-server` processes on one PostgreSQL database (one fresh schema per test),
 * with the same root key and token file, as a load-balanced deployment runs them: the alias
 * rule holds across them, a key made by one works on the other, and killing one with SIGKILL
 * mid-load loses no key it acknowledged.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KmsService, PostgresKeyStore, RootKey, type Scope } from '@openkms/core';
import { createTestSchema, type TestSchema } from '@openkms/core/testing';
import { newTenant, startServerProcess, writeTokenFile } from '../src/testing';

jest.setTimeout(60_000);

const SERVER_ROOT = resolve(__dirname, '..');
/** Guard against a hang only; never a timing assertion. */
const START_TIMEOUT_MS = 20_000;

const rootKeyHex = randomBytes(32).toString('hex');
const tenant = newTenant();
const token = tenant.token;
const scope: Scope = { domainId: tenant.domainId, projectId: tenant.projectId };

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
  output(): string;
}

let work: string;
let tokenFile: string;
let schema: TestSchema;
let instanceCounter = 0;
const instances: Instance[] = [];

beforeAll(() => {
  if (!existsSync(join(SERVER_ROOT, 'dist', 'cli.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: SERVER_ROOT, stdio: 'inherit' });
  }
  work = mkdtempSync(join(tmpdir(), 'openkms-pg-multi-'));
  tokenFile = join(work, 'tokens.json');
  writeTokenFile(tokenFile, [tenant]);
}, 120_000);

beforeEach(async () => {
  schema = await createTestSchema();
});

afterEach(async () => {
  await Promise.all(
    instances.splice(0).map(async (instance) => {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGKILL');
      await instance.exited;
      // Whatever happened, neither instance ever printed the database password.
      expect(instance.output()).not.toContain(schema.password);
    }),
  );
  await schema.drop();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Starts an instance on the test schema. The first of each pair gets the URL by --store, the
 * second by OPENKMS_STORE, so both ways are used.
 */
async function start(how: 'flag' | 'env'): Promise<Instance> {
  instanceCounter += 1;
  const args = ['--data-dir', join(work, `data-${instanceCounter}`), '--token-file', tokenFile];
  if (how === 'flag') args.push('--store', schema.url);
  const proc = await startServerProcess(args, {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: rootKeyHex, ...(how === 'env' ? { OPENKMS_STORE: schema.url } : {}) },
    waitMs: START_TIMEOUT_MS,
  });
  const instance: Instance = {
    child: proc.child,
    url: proc.url,
    exited: proc.exited.then(() => undefined),
    output: () => proc.stdout() + proc.stderr(),
  };
  instances.push(instance);
  const entry = proc.listening as { store?: unknown; store_url?: unknown };
  // The log names the database, with the password masked.
  if (entry.store !== 'postgres' || typeof entry.store_url !== 'string' || !entry.store_url.includes(':***@')) {
    throw new Error(`the listening line does not name the PostgreSQL store with a masked password: ${JSON.stringify(entry)}`);
  }
  return instance;
}

async function post(instance: Instance, action: 'create-key' | 'create-datakey', body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${instance.url}/v1.0/${scope.projectId}/kms/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The service as a test-side third party sees the database, for what HTTP cannot do yet (decrypt). */
async function withOfflineService<T>(work: (service: KmsService) => Promise<T>): Promise<T> {
  const store = await PostgresKeyStore.open({ connectionString: schema.url });
  try {
    return await work(await KmsService.open({ store, rootKey: RootKey.fromEncoded(rootKeyHex), region: 'local-1' }));
  } finally {
    await store.close();
  }
}

it('creating the same alias on both instances at once gives exactly one 200 and one KMS.1104, for each of several aliases', async () => {
  const [a, b] = await Promise.all([start('flag'), start('env')]);
  for (let i = 0; i < 8; i += 1) {
    const alias = `race/${i}`;
    const results = await Promise.all([post(a, 'create-key', { key_alias: alias }), post(b, 'create-key', { key_alias: alias })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const loser = results.find((r) => r.status === 400)!;
    expect(loser.body.error.error_code).toBe('KMS.1104');
    const winner = results.find((r) => r.status === 200)!;
    // Both instances resolve the alias to the winner's key.
    for (const instance of [a, b]) {
      const made = await post(instance, 'create-datakey', { key_id: `alias/${alias}`, datakey_length: '256' });
      expect({ status: made.status, keyId: made.body.key_id }).toEqual({ status: 200, keyId: winner.body.key_info.key_id });
    }
  }
});

it('a key made through one instance makes data keys through the other, and they decrypt', async () => {
  const [a, b] = await Promise.all([start('flag'), start('env')]);
  const created = await post(a, 'create-key', { key_alias: 'app/orders' });
  expect(created.status).toBe(200);
  const keyId: string = created.body.key_info.key_id;

  const context = { tenant: 'acme' };
  const viaB = await post(b, 'create-datakey', { key_id: keyId, datakey_length: '512', encryption_context: context });
  expect(viaB.status).toBe(200);
  expect(viaB.body.key_id).toBe(keyId);

  await withOfflineService(async (service) => {
    const opened = await service.decryptDataKey(scope, {
      ciphertext: Buffer.from(viaB.body.cipher_text, 'hex'),
      encryptionContext: context,
    });
    expect(opened.keyId).toBe(keyId);
    expect(opened.plaintext.toString('hex').toUpperCase()).toBe(viaB.body.plain_text);
  });
});

it('killing one instance with SIGKILL mid-load loses no acknowledged key: the other finds and uses every one', async () => {
  const [victim, survivor] = await Promise.all([start('flag'), start('env')]);
  const acknowledged: { alias: string; keyId: string }[] = [];
  const KILL_AFTER = 40;
  let next = 0;
  let killed = false;

  // Eight clients keep create-key requests in flight on the victim; it is killed once it has
  // acknowledged KILL_AFTER keys, so some requests are in flight when it dies.
  const worker = async (): Promise<void> => {
    while (!killed) {
      const alias = `load/${(next += 1)}`;
      try {
        const res = await post(victim, 'create-key', { key_alias: alias });
        if (res.status !== 200) throw new Error(`create-key ${alias}: ${res.status} ${JSON.stringify(res.body)}`);
        acknowledged.push({ alias, keyId: res.body.key_info.key_id });
        if (acknowledged.length >= KILL_AFTER && !killed) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      } catch (error) {
        // A request cut off by the kill was never acknowledged, so nothing was promised.
        if (!killed) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await victim.exited;
  expect(victim.child.signalCode).toBe('SIGKILL');
  expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);

  for (const { alias, keyId } of acknowledged) {
    const made = await post(survivor, 'create-datakey', { key_id: `alias/${alias}`, datakey_length: '128' });
    expect({ alias, status: made.status, keyId: made.body.key_id }).toEqual({ alias, status: 200, keyId });
  }
  // The survivor keeps serving new keys on the same database.
  expect((await post(survivor, 'create-key', { key_alias: 'after-the-crash' })).status).toBe(200);
});
