import { randomBytes, randomUUID } from 'node:crypto';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import type { KeyStore } from './key-store';

/**
 * The key edits of the KeyStore contract (update-key-alias, update-key-description), a part of
 * describeKeyStoreContract (contract.ts) kept in its own file. `store()` is the fresh store of
 * the running test. (Test-only: excluded from the build by tsconfig.build.json.)
 */

const A: Scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };
const B: Scope = { domainId: A.domainId, projectId: 'c9f1d1f0c2a54bb8a1a4a1f3f0e2d3c4' };
const NO_LIMIT = { maxKeysPerProject: 1_000_000 };

function record(scope: Scope, keyAlias: string): KeyRecord {
  return {
    keyId: randomUUID(),
    ...scope,
    keyAlias,
    keyDescription: `description of ${keyAlias}`,
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 1_700_000_000_123,
    wrappedMaterial: randomBytes(60),
  };
}

async function inserted(store: KeyStore, scope: Scope, alias: string): Promise<KeyRecord> {
  const key = record(scope, alias);
  await expect(store.insertKey(key, NO_LIMIT)).resolves.toEqual({ ok: true });
  return key;
}

export function describeKeyEditsContract(store: () => KeyStore): void {
  describe('updateKeyAlias', () => {
    it('renames the key: found by the new alias with every other field unchanged, the old alias free again', async () => {
      const key = await inserted(store(), A, 'old/name');
      await expect(store().updateKeyAlias(A, key.keyId, 'new/name', KeyState.Enabled)).resolves.toEqual({ ok: true });
      expect(await store().findKeyByAlias(A, 'new/name')).toEqual({ ...key, keyAlias: 'new/name' });
      expect(await store().findKeyById(A, key.keyId)).toEqual({ ...key, keyAlias: 'new/name' });
      expect(await store().findKeyByAlias(A, 'old/name')).toBeUndefined();
      await inserted(store(), A, 'old/name');
    });

    it("refuses another key's alias in the project (duplicate-alias) and changes nothing; its own alias is a no-op", async () => {
      const first = await inserted(store(), A, 'first');
      const second = await inserted(store(), A, 'second');
      await expect(store().updateKeyAlias(A, second.keyId, 'first', KeyState.Enabled)).resolves.toEqual({
        ok: false,
        reason: 'duplicate-alias',
      });
      expect(await store().findKeyById(A, second.keyId)).toEqual(second);
      expect(await store().findKeyByAlias(A, 'first')).toEqual(first);
      await expect(store().updateKeyAlias(A, first.keyId, 'first', KeyState.Enabled)).resolves.toEqual({ ok: true });
      expect(await store().findKeyById(A, first.keyId)).toEqual(first);
    });

    it("allows an alias another project uses, and cannot rename another project's key (not-found)", async () => {
      await inserted(store(), B, 'shared');
      const key = await inserted(store(), A, 'mine');
      await expect(store().updateKeyAlias(A, key.keyId, 'shared', KeyState.Enabled)).resolves.toEqual({ ok: true });
      await expect(store().updateKeyAlias(B, key.keyId, 'stolen', KeyState.Enabled)).resolves.toEqual({ ok: false, reason: 'not-found' });
      await expect(store().updateKeyAlias(A, randomUUID(), 'ghost', KeyState.Enabled)).resolves.toEqual({ ok: false, reason: 'not-found' });
      expect((await store().findKeyById(A, key.keyId))!.keyAlias).toBe('shared');
      expect(await store().findKeyByAlias(B, 'stolen')).toBeUndefined();
    });

    it('changes nothing when the key left the state the caller checked (a concurrent state change): not-found', async () => {
      const key = await inserted(store(), A, 'checked');
      await expect(store().updateKeyAlias(A, key.keyId, 'renamed', KeyState.Disabled)).resolves.toEqual({ ok: false, reason: 'not-found' });
      expect(await store().findKeyById(A, key.keyId)).toEqual(key);
      expect(await store().findKeyByAlias(A, 'renamed')).toBeUndefined();
    });

    it('lets exactly one of many concurrent renames to one alias win, and keeps aliases unique', async () => {
      const keys = await Promise.all(Array.from({ length: 8 }, (_, i) => inserted(store(), A, `racer/${i}`)));
      const results = await Promise.all(keys.map((key) => store().updateKeyAlias(A, key.keyId, 'prize', KeyState.Enabled)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'duplicate-alias')).toHaveLength(7);
      const winner = keys[results.findIndex((r) => r.ok)]!;
      expect((await store().findKeyByAlias(A, 'prize'))!.keyId).toBe(winner.keyId);
    });

    it('never lets a rename and an insert of the same alias both succeed', async () => {
      const key = await inserted(store(), A, 'before');
      const newcomer = record(A, 'contested');
      const [renamed, insertedResult] = await Promise.all([
        store().updateKeyAlias(A, key.keyId, 'contested', KeyState.Enabled),
        store().insertKey(newcomer, NO_LIMIT),
      ]);
      expect([renamed.ok, insertedResult.ok].filter(Boolean)).toHaveLength(1);
      const holder = await store().findKeyByAlias(A, 'contested');
      expect(holder!.keyId).toBe(renamed.ok ? key.keyId : newcomer.keyId);
    });
  });

  describe('updateKeyDescription', () => {
    it('replaces the description (any character, empty included) and nothing else', async () => {
      const key = await inserted(store(), A, 'described');
      for (const keyDescription of ['Orders — ключ 🔑 a\u0000b', '', 'x'.repeat(255)]) {
        await expect(store().updateKeyDescription(A, key.keyId, keyDescription, KeyState.Enabled)).resolves.toBe(true);
        expect(await store().findKeyById(A, key.keyId)).toEqual({ ...key, keyDescription });
      }
    });

    it("answers false for a missing key and for another project's key, changing nothing", async () => {
      const key = await inserted(store(), A, 'kept');
      await expect(store().updateKeyDescription(B, key.keyId, 'stolen', KeyState.Enabled)).resolves.toBe(false);
      await expect(store().updateKeyDescription(A, randomUUID(), 'ghost', KeyState.Enabled)).resolves.toBe(false);
      expect(await store().findKeyById(A, key.keyId)).toEqual(key);
    });
    it('answers false and changes nothing when the key left the state the caller checked', async () => {
      const key = await inserted(store(), A, 'unchanged');
      await expect(store().updateKeyDescription(A, key.keyId, 'late', KeyState.PendingDeletion)).resolves.toBe(false);
      expect(await store().findKeyById(A, key.keyId)).toEqual(key);
    });
  });
}
