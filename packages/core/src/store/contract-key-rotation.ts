import { randomBytes, randomUUID } from 'node:crypto';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import type { KeyStore } from './key-store';

/**
 * Key rotation in the KeyStore contract (material versions, rotation settings, due keys), a part
 * of describeKeyStoreContract (contract.ts) kept in its own file. `store()` is the fresh store of
 * the running test. (Test-only: excluded from the build by tsconfig.build.json.)
 */

const A: Scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };
const B: Scope = { domainId: A.domainId, projectId: 'c9f1d1f0c2a54bb8a1a4a1f3f0e2d3c4' };
const NO_LIMIT = { maxKeysPerProject: 1_000_000 };
const DAY = 86_400_000;
const META = { name: 'root_key_check_value', value: 'active-root' };

function record(scope: Scope, keyAlias: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId: randomUUID(),
    ...scope,
    keyAlias,
    keyDescription: '',
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 1_700_000_000_000,
    wrappedMaterial: randomBytes(69),
    ...overrides,
  };
}

async function inserted(store: KeyStore, key: KeyRecord): Promise<KeyRecord> {
  await expect(store.insertKey(key, NO_LIMIT)).resolves.toEqual({ ok: true });
  return key;
}

/** Bytes that text columns or a naive encoding would mangle: zeros, high bytes, a newline. */
function wrapped(): Buffer {
  return Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x00, ...randomBytes(64)]);
}

export function describeKeyRotationContract(store: () => KeyStore): void {
  describe('key rotation', () => {
    it('returns rotation fields as inserted, and none (defaults) for a key without them', async () => {
      const plain = await inserted(store(), record(A, 'plain'));
      const rotated = await inserted(
        store(),
        record(A, 'rotated', {
          rotatedMaterials: [wrapped(), wrapped()],
          rotationEnabledAt: 1_700_000_000_001,
          rotationIntervalDays: 30,
          lastRotationTime: 1_700_000_000_002,
        }),
      );
      expect(await store().findKeyById(A, plain.keyId)).toEqual(plain);
      expect(await store().findKeyById(A, rotated.keyId)).toEqual(rotated);
      expect((await store().scanKeys(undefined, 10)).find((key) => key.keyId === rotated.keyId)).toEqual(rotated);
    });

    it('updateKeyRotation sets and clears the settings only in the required state and project', async () => {
      const key = await inserted(store(), record(A, 'settings'));
      await expect(
        store().updateKeyRotation(A, key.keyId, KeyState.Enabled, { rotationEnabledAt: 5, rotationIntervalDays: 90 }),
      ).resolves.toBe(true);
      expect(await store().findKeyById(A, key.keyId)).toEqual({ ...key, rotationEnabledAt: 5, rotationIntervalDays: 90 });
      await expect(
        store().updateKeyRotation(A, key.keyId, KeyState.Disabled, { rotationEnabledAt: null, rotationIntervalDays: 30 }),
      ).resolves.toBe(false);
      await expect(
        store().updateKeyRotation(B, key.keyId, KeyState.Enabled, { rotationEnabledAt: null, rotationIntervalDays: 30 }),
      ).resolves.toBe(false);
      await expect(
        store().updateKeyRotation(A, key.keyId, KeyState.Enabled, { rotationEnabledAt: null, rotationIntervalDays: 365 }),
      ).resolves.toBe(true);
      expect(await store().findKeyById(A, key.keyId)).toEqual(key);
    });

    it('addMaterialVersion appends byte for byte and sets the last rotation time; a stale expected list adds nothing', async () => {
      const key = await inserted(store(), record(A, 'versions'));
      const v2 = wrapped();
      const v3 = wrapped();
      const add = (expected: Buffer[], material: Buffer, at: number) =>
        store().addMaterialVersion(A, key.keyId, { expected, wrappedMaterial: material, rotatedAt: at, metaEquals: META });
      await store().setMetaIfAbsent(META.name, META.value);
      await expect(add([], v2, 10)).resolves.toBe('added');
      await expect(add([], wrapped(), 11)).resolves.toBe('changed');
      await expect(add([v2], v3, 12)).resolves.toBe('added');
      const found = await store().findKeyById(A, key.keyId);
      expect(found).toEqual({ ...key, rotatedMaterials: [v2, v3], lastRotationTime: 12 });
      expect(found!.rotatedMaterials!.every((material) => Buffer.isBuffer(material))).toBe(true);
    });

    it('addMaterialVersion adds nothing to a key that is not enabled, of another project, or when the setting differs', async () => {
      await store().setMetaIfAbsent(META.name, META.value);
      const disabled = await inserted(store(), record(A, 'disabled', { keyState: KeyState.Disabled }));
      const enabled = await inserted(store(), record(A, 'enabled'));
      const addition = { expected: [], wrappedMaterial: wrapped(), rotatedAt: 1, metaEquals: META };
      await expect(store().addMaterialVersion(A, disabled.keyId, addition)).resolves.toBe('changed');
      await expect(store().addMaterialVersion(B, enabled.keyId, addition)).resolves.toBe('changed');
      await expect(
        store().addMaterialVersion(A, enabled.keyId, { ...addition, metaEquals: { name: META.name, value: 'retired-root' } }),
      ).resolves.toBe('meta-mismatch');
      expect(await store().findKeyById(A, enabled.keyId)).toEqual(enabled);
      expect(await store().findKeyById(A, disabled.keyId)).toEqual(disabled);
    });

    it('adds one version when many adders race with the same expected list', async () => {
      await store().setMetaIfAbsent(META.name, META.value);
      const key = await inserted(store(), record(A, 'race'));
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          store().addMaterialVersion(A, key.keyId, { expected: [], wrappedMaterial: wrapped(), rotatedAt: i, metaEquals: META }),
        ),
      );
      expect(results.filter((result) => result === 'added')).toHaveLength(1);
      expect((await store().findKeyById(A, key.keyId))!.rotatedMaterials).toHaveLength(1);
    });

    it('findKeysDueForRotation: enabled keys with rotation on whose interval passed since enabling or the last rotation', async () => {
      const t = 1_000 * DAY;
      const due = await inserted(store(), record(A, 'due', { rotationEnabledAt: t, rotationIntervalDays: 30 }));
      const dueInB = await inserted(store(), record(B, 'due-b', { rotationEnabledAt: t - 400 * DAY }));
      await inserted(store(), record(A, 'not-yet', { rotationEnabledAt: t + 1, rotationIntervalDays: 30 }));
      await inserted(
        store(),
        record(A, 'rotated-lately', { rotationEnabledAt: t - 100 * DAY, rotationIntervalDays: 30, lastRotationTime: t + 1 }),
      );
      await inserted(store(), record(A, 'off', { lastRotationTime: 0 }));
      await inserted(store(), record(A, 'disabled', { keyState: KeyState.Disabled, rotationEnabledAt: 0 }));
      const now = t + 30 * DAY;
      const found = await store().findKeysDueForRotation(now, undefined, 100);
      expect(found.map((key) => key.keyId).sort()).toEqual([due.keyId, dueInB.keyId].sort());
      expect(found.find((key) => key.keyId === due.keyId)).toEqual(due);
      const [first, second] = [due.keyId, dueInB.keyId].sort();
      expect((await store().findKeysDueForRotation(now, undefined, 1)).map((key) => key.keyId)).toEqual([first]);
      expect((await store().findKeysDueForRotation(now, first, 100)).map((key) => key.keyId)).toEqual([second]);
    });

    it('replaceRotatedMaterials swaps the whole list only when it still is the expected one and the count is kept', async () => {
      const v2 = wrapped();
      const v3 = wrapped();
      const key = await inserted(store(), record(A, 'rewrap', { rotatedMaterials: [v2, v3] }));
      const replacement = [wrapped(), wrapped()];
      await expect(store().replaceRotatedMaterials(key.keyId, [v2], [replacement[0]!])).resolves.toBe(false);
      await expect(store().replaceRotatedMaterials(key.keyId, [v2, v3], [replacement[0]!])).resolves.toBe(false);
      await expect(store().replaceRotatedMaterials(key.keyId, [v2, v3], replacement)).resolves.toBe(true);
      await expect(store().replaceRotatedMaterials(key.keyId, [v2, v3], [v2, v3])).resolves.toBe(false);
      expect(await store().findKeyById(A, key.keyId)).toEqual({ ...key, rotatedMaterials: replacement });
    });

    it('the purge deletes every material version with the key', async () => {
      const key = await inserted(
        store(),
        record(A, 'doomed', { keyState: KeyState.PendingDeletion, scheduledDeletionDate: 5, rotatedMaterials: [wrapped()] }),
      );
      await expect(store().purgeKeysDueForDeletion(5, 10)).resolves.toEqual([key.keyId]);
      expect(await store().findKeyById(A, key.keyId)).toBeUndefined();
      expect(await store().scanKeys(undefined, 10)).toEqual([]);
    });
  });
}
