import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sealAesGcm } from '../crypto/aes-gcm';
import { RootKey, wrappingRootKeyId } from '../crypto/root-key';
import { KmsError } from '../errors';
import type { Scope } from '../keys/key-record';
import { AccessKeyService } from '../credentials/access-key-service';
import type { AccessKeyStore } from '../credentials/access-key-store';
import type { KeyStore } from '../store/key-store';
import { MemoryKeyStore } from '../store/memory-key-store';
import { PostgresKeyStore } from '../store/postgres-key-store';
import { createTestSchema } from '../testing/postgres';
import { SqliteKeyStore } from '../store/sqlite-key-store';
import { KmsService } from './kms-service';
import { ACTIVE_ROOT_KEY_META, RETIRING_ROOT_KEY_META } from './root-key-state';
import { rewrapAllKeys, type RewrapProgress } from './root-key-rotation';

const REGION = 'test-1';
const A: Scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };
const B: Scope = { domainId: '0e5a3b2c10b9d5f56a4e54d9d8a6c81f', projectId: 'c9f1d1f0c2a54bb8a1a4a1f3f0e2d3c4' };

interface OpenedStore {
  readonly store: KeyStore & AccessKeyStore;
  cleanup(): Promise<void>;
}

const STORES: ReadonlyArray<[string, () => Promise<OpenedStore>]> = [
  ['memory', async () => ({ store: new MemoryKeyStore(), cleanup: async () => undefined })],
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'openkms-rotation-'));
      const store = new SqliteKeyStore(join(dir, 'keys.sqlite'));
      return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = await createTestSchema();
      const store = await PostgresKeyStore.open({ connectionString: schema.url });
      return { store, cleanup: async () => (await store.close(), await schema.drop()) };
    },
  ],
];

/** A data key made before the rotation, with what it must decrypt to. */
interface MadeDataKey {
  readonly scope: Scope;
  readonly keyId: string;
  readonly ciphertext: Buffer;
  readonly plaintext: Buffer;
  readonly context: Record<string, string>;
}

/** Keys in two projects (and one pending import) with a data key each, under `rootKey`. */
async function populate(service: KmsService, count: number): Promise<MadeDataKey[]> {
  const made: MadeDataKey[] = [];
  for (let i = 0; i < count; i++) {
    const scope = i % 2 === 0 ? A : B;
    const { keyId } = await service.createKey(scope, { keyAlias: `app/key-${i}` });
    const context = { n: String(i) };
    const dataKey = await service.createDataKey(scope, { keyId, datakeyBits: 256, encryptionContext: context });
    made.push({ scope, keyId, ciphertext: dataKey.ciphertext, plaintext: dataKey.plaintext, context });
  }
  await service.createKey(A, { keyAlias: 'external', origin: 'external' });
  return made;
}

async function expectAllDecrypt(service: KmsService, made: readonly MadeDataKey[]): Promise<void> {
  for (const dataKey of made) {
    const opened = await service.decryptDataKey(dataKey.scope, { ciphertext: dataKey.ciphertext, encryptionContext: dataKey.context });
    expect(opened.plaintext).toEqual(dataKey.plaintext);
  }
}

/** The root key IDs the store's materials name, counted ('legacy' for format 0). */
async function wrappingCounts(store: KeyStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const key of await store.scanKeys(undefined, 100_000)) {
    if (!key.wrappedMaterial) continue;
    const id = wrappingRootKeyId(key.wrappedMaterial) ?? 'unknown';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

describe.each(STORES)('root key rotation on the %s store', (_name, openStore) => {
  let opened: OpenedStore;
  let store: KeyStore & AccessKeyStore;
  const oldKey = RootKey.generate();
  const newKey = RootKey.generate();

  beforeEach(async () => {
    opened = await openStore();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.cleanup();
  });

  it('re-wraps every key under the new root key; afterwards the new key alone serves and the old one is refused', async () => {
    const before = await KmsService.open({ store, rootKey: oldKey, region: REGION });
    const made = await populate(before, 25);
    expect(await wrappingCounts(store)).toEqual({ [oldKey.checkValue()]: 25 });

    const report = await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey], batchSize: 7 });
    expect(report).toMatchObject({
      finished: true,
      retired: oldKey.checkValue(),
      active: newKey.checkValue(),
      rewrapped: 25,
      unreadable: [],
    });
    // The verifying pass found everything current.
    expect(report).toMatchObject({ examined: 26, alreadyCurrent: 25, withoutMaterial: 1 });
    expect(await wrappingCounts(store)).toEqual({ [newKey.checkValue()]: 25 });
    expect(await store.getMeta(ACTIVE_ROOT_KEY_META)).toBe(newKey.checkValue());
    expect(await store.getMeta(RETIRING_ROOT_KEY_META)).toBeUndefined();

    const after = await KmsService.open({ store, rootKey: newKey, region: REGION });
    await expectAllDecrypt(after, made);
    await expect(KmsService.open({ store, rootKey: oldKey, region: REGION })).rejects.toThrow(/check value mismatch/);
  });

  it('re-wraps every access key secret too (live and revoked); afterwards the new root key alone opens them', async () => {
    await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), 2);
    const before = await AccessKeyService.open({ store, rootKey: oldKey });
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await before.create({ name: `app-${i}`, domainId: A.domainId, projects: [A.projectId] }));
    await before.revoke(created[4]!.accessKeyId);
    const secretsUnder = async () =>
      (await store.scanAccessKeys(undefined, 100)).map((accessKey) => wrappingRootKeyId(accessKey.wrappedSecret));

    const report = await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey], batchSize: 2 });
    expect(report).toMatchObject({ finished: true, rewrapped: 2, accessKeysRewrapped: 5, accessKeysExamined: 5, unreadableAccessKeys: [] });
    expect(await secretsUnder()).toEqual(Array(5).fill(newKey.checkValue()));

    const after = await AccessKeyService.open({ store, rootKey: newKey });
    for (const accessKey of created.slice(0, 4)) {
      expect((await after.findLive(accessKey.accessKeyId))?.secretKey).toBe(accessKey.secretKey);
    }
    expect(await after.findLive(created[4]!.accessKeyId)).toBeUndefined();
    await expect(AccessKeyService.open({ store, rootKey: oldKey })).rejects.toThrow(/check value mismatch/);
  });

  it('leaves the rotation unfinished while an access key secret opens under no given root key', async () => {
    const service = await AccessKeyService.open({ store, rootKey: oldKey });
    const good = await service.create({ name: 'good', domainId: A.domainId, projects: [A.projectId] });
    const bad = await service.create({ name: 'bad', domainId: A.domainId, projects: [A.projectId] });
    const wrapped = (await store.findAccessKey(bad.accessKeyId))!.wrappedSecret;
    const altered = Buffer.from(wrapped);
    altered[altered.length - 1]! ^= 1;
    await store.replaceWrappedSecret(bad.accessKeyId, wrapped, altered);

    const report = await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] });
    expect(report).toMatchObject({ finished: false, unreadableAccessKeys: [bad.accessKeyId], accessKeysRewrapped: 1 });
    expect(await store.getMeta(RETIRING_ROOT_KEY_META)).toBe(oldKey.checkValue());
    const serving = await AccessKeyService.open({ store, rootKey: newKey, previousRootKeys: [oldKey] });
    expect((await serving.findLive(good.accessKeyId))?.secretKey).toBe(good.secretKey);
    await expect(serving.findLive(bad.accessKeyId)).rejects.toThrow(/does not open/);
  });

  it('is idempotent: a second run re-wraps nothing', async () => {
    await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), 5);
    await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] });
    const again = await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] });
    expect(again).toMatchObject({ finished: true, retired: undefined, rewrapped: 0, alreadyCurrent: 5, pass: 1 });
  });

  it('keeps a service that holds both root keys serving reads and writes throughout, and it follows the new active key', async () => {
    const old = await KmsService.open({ store, rootKey: oldKey, region: REGION });
    const made = await populate(old, 20);
    // A server reloaded with both keys before the rotation: new keys still go under the store's active (old) key.
    const serving = await KmsService.open({ store, rootKey: newKey, previousRootKeys: [oldKey], region: REGION });
    expect(serving.rootKeyIds).toEqual({ active: oldKey.checkValue(), held: [newKey.checkValue(), oldKey.checkValue()] });
    const { keyId: before } = await serving.createKey(A, { keyAlias: 'made/before' });
    expect(wrappingRootKeyId((await store.findKeyById(A, before))!.wrappedMaterial!)).toBe(oldKey.checkValue());

    let batches = 0;
    const createdDuring: MadeDataKey[] = [];
    await rewrapAllKeys({
      store,
      rootKey: newKey,
      previousRootKeys: [oldKey],
      batchSize: 3,
      onProgress: async () => {
        batches++;
        // Between batches some keys are under the new root key, some under the old one.
        await expectAllDecrypt(serving, made);
        const { keyId } = await serving.createKey(A, { keyAlias: `made/during-${batches}` });
        const dataKey = await serving.createDataKey(A, { keyId, datakeyBits: 128 });
        createdDuring.push({ scope: A, keyId, ciphertext: dataKey.ciphertext, plaintext: dataKey.plaintext, context: {} });
      },
    });
    expect(batches).toBeGreaterThan(3);
    expect(serving.rootKeyIds.active).toBe(newKey.checkValue());
    expect(Object.keys(await wrappingCounts(store))).toEqual([newKey.checkValue()]);
    const newOnly = await KmsService.open({ store, rootKey: newKey, region: REGION });
    await expectAllDecrypt(newOnly, [...made, ...createdDuring]);
  });

  it('stops a server holding only the retired key from writing under it, while it still reads what it can', async () => {
    const stale = await KmsService.open({ store, rootKey: oldKey, region: REGION });
    const made = await populate(stale, 4);
    let checked = false;
    await rewrapAllKeys({
      store,
      rootKey: newKey,
      previousRootKeys: [oldKey],
      batchSize: 1,
      onProgress: async (progress) => {
        if (checked || progress.rewrapped !== 1) return;
        checked = true;
        const failure = await stale.createKey(A, { keyAlias: 'stale' }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(Error);
        expect(failure).not.toBeInstanceOf(KmsError);
        expect((failure as Error).message).toMatch(/wrapped under root key [0-9a-f]{16}, which is not among the root keys given/);
        // A key not yet re-wrapped still opens under the old key; a re-wrapped one does not.
        const keys = await store.scanKeys(undefined, 100);
        const under = (rootKey: RootKey) =>
          made.find((m) => keys.some((k) => k.keyId === m.keyId && wrappingRootKeyId(k.wrappedMaterial!) === rootKey.checkValue()))!;
        const notYet = under(oldKey);
        const done = under(newKey);
        const opened = await stale.decryptDataKey(notYet.scope, { ciphertext: notYet.ciphertext, encryptionContext: notYet.context });
        expect(opened.plaintext).toEqual(notYet.plaintext);
        await expect(stale.decryptDataKey(done.scope, { ciphertext: done.ciphertext, encryptionContext: done.context })).rejects.toThrow(
          /which this server does not hold; reload/,
        );
      },
    });
    expect(checked).toBe(true);
    expect(await store.findKeyByAlias(A, 'stale')).toBeUndefined();
  });

  it('resumes after an interruption at any batch, and every data key still decrypts', async () => {
    const made = await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), 12);
    let stopAt = 2;
    const interrupt = async (progress: RewrapProgress) => {
      if (progress.pass === 1 && --stopAt === 0) throw new Error('simulated crash');
    };
    await expect(
      rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey], batchSize: 5, onProgress: interrupt }),
    ).rejects.toThrow('simulated crash');
    // Half done: the rotation is recorded as unfinished, so the new key alone is refused.
    expect(await store.getMeta(RETIRING_ROOT_KEY_META)).toBe(oldKey.checkValue());
    const counts = await wrappingCounts(store);
    expect(counts[newKey.checkValue()]).toBeGreaterThan(0);
    expect(counts[oldKey.checkValue()]).toBeGreaterThan(0);
    await expect(KmsService.open({ store, rootKey: newKey, region: REGION })).rejects.toThrow(/rotation is unfinished/);
    await expect(KmsService.open({ store, rootKey: oldKey, region: REGION })).rejects.toThrow(/check value mismatch/);
    await expectAllDecrypt(await KmsService.open({ store, rootKey: newKey, previousRootKeys: [oldKey], region: REGION }), made);

    const resumed = await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] });
    expect(resumed).toMatchObject({ finished: true, retired: oldKey.checkValue() });
    expect(resumed.rewrapped).toBe(12 - counts[newKey.checkValue()]!);
    await expectAllDecrypt(await KmsService.open({ store, rootKey: newKey, region: REGION }), made);
  });

  it('finishes a rotation interrupted between recording the retiring key and switching the active one', async () => {
    const made = await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), 3);
    await store.setMetaIfAbsent(RETIRING_ROOT_KEY_META, oldKey.checkValue());
    // Such a store is still served by the old key (and by both).
    await expectAllDecrypt(await KmsService.open({ store, rootKey: oldKey, region: REGION }), made);
    await expect(rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] })).resolves.toMatchObject({
      finished: true,
      rewrapped: 3,
    });
    await expectAllDecrypt(await KmsService.open({ store, rootKey: newKey, region: REGION }), made);
  });

  it('agrees with a concurrent run of itself', async () => {
    const made = await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), 16);
    const runs = await Promise.all(
      [1, 2, 3].map(() => rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey], batchSize: 4 })),
    );
    for (const run of runs) expect(run.finished).toBe(true);
    expect(runs.reduce((sum, run) => sum + run.rewrapped, 0)).toBe(16);
    expect(await wrappingCounts(store)).toEqual({ [newKey.checkValue()]: 16 });
    await expectAllDecrypt(await KmsService.open({ store, rootKey: newKey, region: REGION }), made);
  });

  it('reports a key whose material opens under no given root key, and leaves the rotation unfinished', async () => {
    const service = await KmsService.open({ store, rootKey: oldKey, region: REGION });
    await populate(service, 3);
    const { keyId } = await service.createKey(A, { keyAlias: 'damaged' });
    const damaged = (await store.findKeyById(A, keyId))!.wrappedMaterial!;
    const altered = Buffer.from(damaged);
    altered[altered.length - 1]! ^= 1;
    await store.replaceWrappedMaterial(keyId, damaged, altered);

    const report = await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] });
    expect(report).toMatchObject({ finished: false, unreadable: [keyId], rewrapped: 3 });
    expect(await store.getMeta(RETIRING_ROOT_KEY_META)).toBe(oldKey.checkValue());
    await expect(KmsService.open({ store, rootKey: newKey, region: REGION })).rejects.toThrow(/rotation is unfinished/);
  });

  it('refuses to start without the store’s root key, or over another unfinished rotation', async () => {
    await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), 2);
    await expect(rewrapAllKeys({ store, rootKey: newKey })).rejects.toThrow(
      new RegExp(`root key ${oldKey.checkValue()}, which is not among the root keys given`),
    );
    expect(await store.getMeta(ACTIVE_ROOT_KEY_META)).toBe(oldKey.checkValue());

    const third = RootKey.generate();
    await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey], onProgress: () => Promise.reject(new Error('stop')) }).catch(
      () => undefined,
    );
    await expect(rewrapAllKeys({ store, rootKey: third, previousRootKeys: [newKey, oldKey] })).rejects.toThrow(
      /earlier rotation.*unfinished/,
    );
    await expect(rewrapAllKeys({ store, rootKey: third, previousRootKeys: [newKey] })).rejects.toThrow(/rotation is unfinished/);
    await expect(rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey] })).resolves.toMatchObject({ finished: true });
    // Then on to the third key, with the second as the previous one.
    await expect(rewrapAllKeys({ store, rootKey: third, previousRootKeys: [newKey] })).resolves.toMatchObject({
      finished: true,
      rewrapped: 2,
    });
  });

  it('converts material of format 0 (written before rotation existed) with only the current root key', async () => {
    const raw = randomBytes(32);
    const rootKey = RootKey.fromBytes(raw);
    const service = await KmsService.open({ store, rootKey, region: REGION });
    const made = await populate(service, 2);
    // Rewrite one key's material the way the first release stored it.
    const key = (await store.scanKeys(undefined, 10)).find((k) => k.wrappedMaterial)!;
    const material = new KmsServiceMaterial(rootKey).open(key.wrappedMaterial!, key);
    const legacy = sealAesGcm(
      raw,
      material,
      Buffer.from(['openkms.cmk-material.v1', key.domainId, key.projectId, key.keyId].join('\0'), 'utf8'),
    );
    expect(await store.replaceWrappedMaterial(key.keyId, key.wrappedMaterial!, legacy)).toBe(true);
    expect(await wrappingCounts(store)).toEqual({ legacy: 1, [rootKey.checkValue()]: 1 });
    await expectAllDecrypt(service, made);

    await expect(rewrapAllKeys({ store, rootKey })).resolves.toMatchObject({ finished: true, rewrapped: 1, retired: undefined });
    expect(await wrappingCounts(store)).toEqual({ [rootKey.checkValue()]: 2 });
    await expectAllDecrypt(service, made);
  });
});

/** Opens material with a root key (test helper naming what the test does). */
class KmsServiceMaterial {
  constructor(private readonly rootKey: RootKey) {}
  open(wrapped: Buffer, owner: Scope & { keyId: string }): Buffer {
    const material = this.rootKey.unwrap(wrapped, owner);
    if (!material) throw new Error('test setup: material did not open');
    return material;
  }
}

describe('root key rotation, interrupted at arbitrary points (property)', () => {
  it('always ends with every data key decrypting under the new key alone, after a resume', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat({ max: 6 }),
        async (keys, batchSize, stopAfter) => {
          const store = new MemoryKeyStore();
          const oldKey = RootKey.generate();
          const newKey = RootKey.generate();
          const made = await populate(await KmsService.open({ store, rootKey: oldKey, region: REGION }), keys);
          let batches = 0;
          await rewrapAllKeys({
            store,
            rootKey: newKey,
            previousRootKeys: [oldKey],
            batchSize,
            onProgress: () => {
              if (batches++ === stopAfter) throw new Error('interrupted');
            },
          }).catch(() => undefined);
          await rewrapAllKeys({ store, rootKey: newKey, previousRootKeys: [oldKey], batchSize });
          expect(await wrappingCounts(store)).toEqual({ [newKey.checkValue()]: keys });
          await expectAllDecrypt(await KmsService.open({ store, rootKey: newKey, region: REGION }), made);
        },
      ),
      { numRuns: 40 },
    );
  });
});
