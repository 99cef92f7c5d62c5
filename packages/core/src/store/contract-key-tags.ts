import { randomBytes, randomUUID } from 'node:crypto';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import type { KeyStore } from './key-store';

/**
 * The tags of the KeyStore contract (KeyTagStore), a part of describeKeyStoreContract
 * (contract.ts) kept in its own file. `store()` is the fresh store of the running test.
 * (Test-only: excluded from the build by tsconfig.build.json.)
 */

const A: Scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };
const B: Scope = { domainId: A.domainId, projectId: 'c9f1d1f0c2a54bb8a1a4a1f3f0e2d3c4' };
const NO_LIMIT = { maxKeysPerProject: 1_000_000 };
const MAX = 10;

function record(scope: Scope, keyAlias: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId: randomUUID(),
    ...scope,
    keyAlias,
    keyDescription: '',
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 1_700_000_000_123,
    wrappedMaterial: randomBytes(60),
    ...overrides,
  };
}

async function inserted(store: KeyStore, scope: Scope, alias: string, overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const key = record(scope, alias, overrides);
  await expect(store.insertKey(key, NO_LIMIT)).resolves.toEqual({ ok: true });
  return key;
}

export function describeKeyTagsContract(store: () => KeyStore): void {
  describe('key tags', () => {
    it('starts with no tags; a missing key or another project’s key has none to show (undefined)', async () => {
      const key = await inserted(store(), A, 'untagged');
      await expect(store().findKeyTags(A, key.keyId)).resolves.toEqual([]);
      await expect(store().findKeyTags(B, key.keyId)).resolves.toBeUndefined();
      await expect(store().findKeyTags(A, randomUUID())).resolves.toBeUndefined();
    });

    it('adds, overwrites by key and removes; tags come back ordered by key (code unit), any Unicode kept', async () => {
      const key = await inserted(store(), A, 'tagged');
      const set = [
        { key: 'zeta', value: '' },
        { key: 'Alpha', value: 'ключ 🔑' },
        { key: '环境', value: 'prod' },
        { key: 'alpha', value: 'lower' },
      ];
      await expect(store().changeKeyTags(A, key.keyId, { set }, MAX)).resolves.toEqual({ ok: true });
      await expect(store().findKeyTags(A, key.keyId)).resolves.toEqual([
        { key: 'Alpha', value: 'ключ 🔑' },
        { key: 'alpha', value: 'lower' },
        { key: 'zeta', value: '' },
        { key: '环境', value: 'prod' },
      ]);
      await store().changeKeyTags(A, key.keyId, { set: [{ key: 'zeta', value: 'now set' }] }, MAX);
      // Removal by key; with a value, only when it matches; a tag that is not there is skipped.
      const remove = [{ key: 'alpha' }, { key: 'Alpha', value: 'other' }, { key: 'missing' }];
      await expect(store().changeKeyTags(A, key.keyId, { remove }, MAX)).resolves.toEqual({ ok: true });
      await expect(store().findKeyTags(A, key.keyId)).resolves.toEqual([
        { key: 'Alpha', value: 'ключ 🔑' },
        { key: 'zeta', value: 'now set' },
        { key: '环境', value: 'prod' },
      ]);
    });

    it('refuses a change past the limit as a whole (too-many-tags), counting overwrites once and removals first', async () => {
      const key = await inserted(store(), A, 'full');
      const ten = Array.from({ length: MAX }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
      await expect(store().changeKeyTags(A, key.keyId, { set: ten }, MAX)).resolves.toEqual({ ok: true });
      await expect(
        store().changeKeyTags(
          A,
          key.keyId,
          {
            set: [
              { key: 'k10', value: '' },
              { key: 'k0', value: 'x' },
            ],
          },
          MAX,
        ),
      ).resolves.toEqual({ ok: false, reason: 'too-many-tags' });
      await expect(store().findKeyTags(A, key.keyId)).resolves.toHaveLength(MAX);
      expect((await store().findKeyTags(A, key.keyId))!.find((tag) => tag.key === 'k0')!.value).toBe('v0');
      await expect(store().changeKeyTags(A, key.keyId, { set: [{ key: 'k0', value: 'x' }] }, MAX)).resolves.toEqual({ ok: true });
      await expect(
        store().changeKeyTags(A, key.keyId, { remove: [{ key: 'k1' }], set: [{ key: 'k10', value: '' }] }, MAX),
      ).resolves.toEqual({ ok: true });
      expect((await store().findKeyTags(A, key.keyId))!.map((tag) => tag.key)).toContain('k10');
    });

    it("cannot change another project's key or a missing key (not-found), and changes nothing", async () => {
      const key = await inserted(store(), A, 'mine');
      await expect(store().changeKeyTags(B, key.keyId, { set: [{ key: 'a', value: 'b' }] }, MAX)).resolves.toEqual({
        ok: false,
        reason: 'not-found',
      });
      await expect(store().changeKeyTags(A, randomUUID(), { set: [{ key: 'a', value: 'b' }] }, MAX)).resolves.toEqual({
        ok: false,
        reason: 'not-found',
      });
      await expect(store().findKeyTags(A, key.keyId)).resolves.toEqual([]);
    });

    it("lists the project's tagged keys only, by key ID, each key's tags by key", async () => {
      const first = await inserted(store(), A, 'first');
      const second = await inserted(store(), A, 'second');
      await inserted(store(), A, 'untagged');
      const other = await inserted(store(), B, 'other');
      await store().changeKeyTags(
        A,
        first.keyId,
        {
          set: [
            { key: 'b', value: '2' },
            { key: 'a', value: '1' },
          ],
        },
        MAX,
      );
      await store().changeKeyTags(A, second.keyId, { set: [{ key: 'a', value: '1' }] }, MAX);
      await store().changeKeyTags(B, other.keyId, { set: [{ key: 'a', value: 'B' }] }, MAX);
      const expected = [
        {
          keyId: first.keyId,
          tags: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ],
        },
        { keyId: second.keyId, tags: [{ key: 'a', value: '1' }] },
      ].sort((x, y) => (x.keyId < y.keyId ? -1 : 1));
      await expect(store().listProjectKeyTags(A)).resolves.toEqual(expected);
      await expect(store().listProjectKeyTags(B)).resolves.toEqual([{ keyId: other.keyId, tags: [{ key: 'a', value: 'B' }] }]);
    });

    it('deletes a key’s tags with the key when it is purged (a key stored again under that ID has none)', async () => {
      const key = await inserted(store(), A, 'doomed', { keyState: KeyState.PendingDeletion, scheduledDeletionDate: 1_000 });
      await store().changeKeyTags(A, key.keyId, { set: [{ key: 'a', value: '1' }] }, MAX);
      await expect(store().purgeKeysDueForDeletion(2_000, 10)).resolves.toEqual([key.keyId]);
      await expect(store().findKeyTags(A, key.keyId)).resolves.toBeUndefined();
      await expect(store().listProjectKeyTags(A)).resolves.toEqual([]);
      await expect(store().insertKey({ ...key, keyState: KeyState.Enabled, scheduledDeletionDate: null }, NO_LIMIT)).resolves.toEqual({
        ok: true,
      });
      await expect(store().findKeyTags(A, key.keyId)).resolves.toEqual([]);
    });

    it('keeps the limit under concurrent additions: exactly the limit of distinct tags get in', async () => {
      const key = await inserted(store(), A, 'raced');
      const results = await Promise.all(
        Array.from({ length: MAX + 5 }, (_, i) => store().changeKeyTags(A, key.keyId, { set: [{ key: `t${i}`, value: '' }] }, MAX)),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(MAX);
      await expect(store().findKeyTags(A, key.keyId)).resolves.toHaveLength(MAX);
    });
  });
}
