import { RootKey } from '../crypto/root-key';
import type { Scope } from '../keys/key-record';
import { PostgresKeyStore } from '../store/postgres-key-store';
import { createTestSchema, type TestSchema } from '../testing/postgres';
import { DAY_MS } from './key-lifecycle';
import { KmsService } from './kms-service';

/**
 * Automatic rotation across instances: two services, each with its own connection pool, on one
 * PostgreSQL database, rotate every due key exactly once between them. Time is the injectable
 * clock; nothing depends on wall-clock speed.
 */

// Guards against a hang only (a lock never released); no test relies on time.
jest.setTimeout(60_000);

const A: Scope = { domainId: 'e1'.repeat(16), projectId: 'e2'.repeat(16) };

let schema: TestSchema;
const stores: PostgresKeyStore[] = [];

beforeEach(async () => {
  schema = await createTestSchema();
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await schema.drop();
});

async function instance(rootKey: RootKey, now: () => number): Promise<KmsService> {
  const store = await PostgresKeyStore.open({ connectionString: schema.url });
  stores.push(store);
  return KmsService.open({ region: 'test-1', store, rootKey, now });
}

it('two instances on PostgreSQL rotate each due key once between them; older data keys still decrypt on both', async () => {
  let now = 1_760_000_000_000;
  const clock = () => now;
  const rootKey = RootKey.generate();
  const [first, second] = [await instance(rootKey, clock), await instance(rootKey, clock)];

  const due: string[] = [];
  const made = new Map<string, { ciphertext: Buffer; plaintext: Buffer }>();
  for (let i = 0; i < 30; i += 1) {
    const { keyId } = await first.createKey(A, { keyAlias: `due/${i}` });
    await first.enableKeyRotation(A, keyId);
    made.set(keyId, await first.createDataKey(A, { keyId, datakeyBits: 256 }));
    due.push(keyId);
  }
  const notDue = (await first.createKey(A, { keyAlias: 'not-due' })).keyId;
  await first.enableKeyRotation(A, notDue);
  await first.updateKeyRotationInterval(A, notDue, 365);
  const off = (await first.createKey(A, { keyAlias: 'off' })).keyId;

  now += 365 * DAY_MS;
  // The one key enabled later is not due yet: enable it now, after the move.
  await first.disableKeyRotation(A, notDue);
  await first.enableKeyRotation(A, notDue);

  // Several runs from both instances at once, as their timers would overlap.
  const reported = (await Promise.all([first, second, first, second].map((service) => service.rotateDueKeys()))).flat();
  expect(new Set(reported).size).toBe(reported.length);
  expect([...reported].sort()).toEqual([...due].sort());
  await expect(Promise.all([first.rotateDueKeys(), second.rotateDueKeys()])).resolves.toEqual([[], []]);

  for (const keyId of due) {
    expect((await second.getKeyRotationStatus(A, keyId)).numberOfRotations).toBe(1);
    for (const service of [first, second]) {
      expect((await service.decryptDataKey(A, { ciphertext: made.get(keyId)!.ciphertext })).plaintext).toEqual(made.get(keyId)!.plaintext);
    }
    const fresh = await second.createDataKey(A, { keyId, datakeyBits: 256 });
    expect(fresh.ciphertext.subarray(0, 2).toString('hex')).toBe('0300');
    expect((await first.decryptDataKey(A, { ciphertext: fresh.ciphertext })).plaintext).toEqual(fresh.plaintext);
  }
  expect((await first.getKeyRotationStatus(A, notDue)).numberOfRotations).toBe(0);
  expect((await first.getKeyRotationStatus(A, off)).numberOfRotations).toBe(0);
});

it('on-demand rotations from two instances at once each add a version: none is lost', async () => {
  const rootKey = RootKey.generate();
  const [first, second] = [await instance(rootKey, Date.now), await instance(rootKey, Date.now)];
  const { keyId } = await first.createKey(A, { keyAlias: 'on-demand' });
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).rotateKeyOnDemand(A, keyId)));
  const succeeded = results.filter((result) => result.status === 'fulfilled').length;
  // A rotation that lost every compare and swap (3 tries) answers 503 KMS.0104; each success added exactly one version.
  expect(succeeded).toBeGreaterThan(0);
  for (const result of results) if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'KMS.0104' });
  expect((await first.getKeyRotationStatus(A, keyId)).numberOfRotations).toBe(succeeded);
});
