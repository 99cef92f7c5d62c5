import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { describeKeyEditsContract } from './contract-key-edits';
import { describeKeyTagsContract } from './contract-key-tags';
import { describeKeyRotationContract } from './contract-key-rotation';
import type { KeyStore, ListKeysQuery } from './key-store';

/**
 * The behaviour every KeyStore must share, as a jest suite. A store implementation's spec
 * calls this with a function that opens a fresh, empty store; `cleanup` must close it and
 * remove whatever it created. (Test-only: excluded from the build by tsconfig.build.json.)
 */
export interface OpenedKeyStore {
  readonly store: KeyStore;
  cleanup(): Promise<void>;
}

const PROJECT_A: Scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };
const PROJECT_B: Scope = { domainId: PROJECT_A.domainId, projectId: 'c9f1d1f0c2a54bb8a1a4a1f3f0e2d3c4' };
const OTHER_DOMAIN: Scope = { domainId: '0e5a3b2c10b9d5f56a4e54d9d8a6c81f', projectId: PROJECT_A.projectId };
const NO_LIMIT = { maxKeysPerProject: 1_000_000 };

function record(scope: Scope, keyAlias: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    keyId: randomUUID(),
    domainId: scope.domainId,
    projectId: scope.projectId,
    keyAlias,
    keyDescription: `description of ${keyAlias}`,
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 1_700_000_000_123,
    wrappedMaterial: randomBytes(60),
    ...overrides,
  };
}

export function describeKeyStoreContract(name: string, open: () => Promise<OpenedKeyStore>): void {
  describe(`KeyStore contract: ${name}`, () => {
    let opened: OpenedKeyStore;
    let store: KeyStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    describeKeyEditsContract(() => store);
    describeKeyTagsContract(() => store);
    describeKeyRotationContract(() => store);

    describe('insert and find', () => {
      it('returns every field by ID and by alias, wrapped material byte for byte', async () => {
        const key = record(PROJECT_A, 'app/orders', {
          keyDescription: 'Orders — ключ 🔑',
          enterpriseProjectId: '5c8f3a1e-0b7d-4e2a-9c6f-1d2e3f4a5b6c',
          // Bytes that text columns or encodings would mangle.
          wrappedMaterial: Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x00, ...randomBytes(55)]),
        });
        await expect(store.insertKey(key, NO_LIMIT)).resolves.toEqual({ ok: true });

        const byId = await store.findKeyById(PROJECT_A, key.keyId);
        const byAlias = await store.findKeyByAlias(PROJECT_A, 'app/orders');
        for (const found of [byId, byAlias]) {
          expect(found).toEqual(key);
          expect(Buffer.isBuffer(found?.wrappedMaterial)).toBe(true);
          expect(found!.wrappedMaterial!.equals(key.wrappedMaterial!)).toBe(true);
          expect(typeof found!.creationDate).toBe('number');
        }
      });

      it('keeps null wrapped material as null (a key pending import)', async () => {
        const key = record(PROJECT_A, 'external', { origin: 'external', keyState: KeyState.PendingImport, wrappedMaterial: null });
        await store.insertKey(key, NO_LIMIT);
        expect(await store.findKeyById(PROJECT_A, key.keyId)).toEqual(key);
        expect((await store.findKeyByAlias(PROJECT_A, 'external'))!.wrappedMaterial).toBeNull();
      });

      it('keeps a description with any character, U+0000 and astral ones included', async () => {
        const key = record(PROJECT_A, 'nul', { keyDescription: 'a\u0000b \u0001 \u{1F511} é' });
        await store.insertKey(key, NO_LIMIT);
        expect(await store.findKeyById(PROJECT_A, key.keyId)).toEqual(key);
      });

      it('keeps every key state and an empty description', async () => {
        const states = Object.values(KeyState);
        const keys = states.map((keyState) => record(PROJECT_A, `state-${keyState}`, { keyState, keyDescription: '' }));
        for (const key of keys) await store.insertKey(key, NO_LIMIT);
        for (const key of keys) expect(await store.findKeyById(PROJECT_A, key.keyId)).toEqual(key);
      });

      it('counts keys by state over every project and domain', async () => {
        expect(await store.countKeysByState?.()).toEqual({});
        const states = [KeyState.Enabled, KeyState.Enabled, KeyState.Disabled, KeyState.PendingDeletion];
        const scopes = [PROJECT_A, PROJECT_B, OTHER_DOMAIN, PROJECT_A];
        for (const [index, keyState] of states.entries()) {
          expect(await store.insertKey(record(scopes[index]!, `by-state-${index}`, { keyState }), NO_LIMIT)).toEqual({ ok: true });
        }
        expect(await store.countKeysByState?.()).toEqual({ [KeyState.Enabled]: 2, [KeyState.Disabled]: 1, [KeyState.PendingDeletion]: 1 });
      });

      it('finds nothing for an unknown ID or alias', async () => {
        await store.insertKey(record(PROJECT_A, 'known'), NO_LIMIT);
        expect(await store.findKeyById(PROJECT_A, randomUUID())).toBeUndefined();
        expect(await store.findKeyByAlias(PROJECT_A, 'unknown')).toBeUndefined();
        expect(await store.findKeyByAlias(PROJECT_A, 'KNOWN')).toBeUndefined();
      });

      it('is not changed by mutating an inserted or a returned record', async () => {
        const key = record(PROJECT_A, 'app/orders');
        const original = Buffer.from(key.wrappedMaterial!);
        await store.insertKey(key, NO_LIMIT);
        key.wrappedMaterial!.fill(0);
        const found = await store.findKeyById(PROJECT_A, key.keyId);
        expect(found!.wrappedMaterial).toEqual(original);
        found!.wrappedMaterial!.fill(0);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.wrappedMaterial).toEqual(original);
      });

      it('refuses a second key with an existing key ID, even in another project', async () => {
        const key = record(PROJECT_A, 'first');
        await store.insertKey(key, NO_LIMIT);
        // Not rejects.toThrow(): better-sqlite3's native addon keeps the SqliteError class of the
        // first jest test file that loaded it, so in a later file of the same worker the error is
        // not an Error of this realm and toThrow() reports "did not throw" (a 1-in-3 flake).
        await expect(store.insertKey({ ...record(PROJECT_B, 'second'), keyId: key.keyId }, NO_LIMIT)).rejects.toHaveProperty(
          'message',
          expect.any(String),
        );
        expect(await store.findKeyById(PROJECT_A, key.keyId)).toEqual(key);
        expect(await store.findKeyById(PROJECT_B, key.keyId)).toBeUndefined();
      });
    });

    describe('scoping', () => {
      it('shows a key only to its own domain and project', async () => {
        const key = record(PROJECT_A, 'app/orders');
        await store.insertKey(key, NO_LIMIT);
        for (const other of [PROJECT_B, OTHER_DOMAIN]) {
          expect(await store.findKeyById(other, key.keyId)).toBeUndefined();
          expect(await store.findKeyByAlias(other, 'app/orders')).toBeUndefined();
          expect(await store.countKeys(other)).toBe(0);
        }
        expect(await store.countKeys(PROJECT_A)).toBe(1);
      });

      it('does not confuse scopes whose IDs concatenate alike', async () => {
        const a: Scope = { domainId: 'ab', projectId: 'c' };
        const b: Scope = { domainId: 'a', projectId: 'bc' };
        const key = record(a, 'x');
        await store.insertKey(key, NO_LIMIT);
        expect(await store.findKeyById(b, key.keyId)).toBeUndefined();
        expect(await store.findKeyByAlias(b, 'x')).toBeUndefined();
        expect(await store.countKeys(b)).toBe(0);
        await expect(store.insertKey(record(b, 'x'), NO_LIMIT)).resolves.toEqual({ ok: true });
      });

      it('counts keys per project', async () => {
        for (let i = 0; i < 3; i += 1) await store.insertKey(record(PROJECT_A, `a-${i}`), NO_LIMIT);
        await store.insertKey(record(PROJECT_B, 'b-0'), NO_LIMIT);
        expect(await store.countKeys(PROJECT_A)).toBe(3);
        expect(await store.countKeys(PROJECT_B)).toBe(1);
        expect(await store.countKeys(OTHER_DOMAIN)).toBe(0);
      });
    });

    describe('alias uniqueness', () => {
      it('refuses a duplicate alias in the same project and keeps the first key', async () => {
        const first = record(PROJECT_A, 'app/orders');
        const second = record(PROJECT_A, 'app/orders');
        await store.insertKey(first, NO_LIMIT);
        await expect(store.insertKey(second, NO_LIMIT)).resolves.toEqual({ ok: false, reason: 'duplicate-alias' });
        expect(await store.findKeyByAlias(PROJECT_A, 'app/orders')).toEqual(first);
        expect(await store.findKeyById(PROJECT_A, second.keyId)).toBeUndefined();
        expect(await store.countKeys(PROJECT_A)).toBe(1);
      });

      it('allows the same alias in another project and in another domain', async () => {
        await store.insertKey(record(PROJECT_A, 'app/orders'), NO_LIMIT);
        await expect(store.insertKey(record(PROJECT_B, 'app/orders'), NO_LIMIT)).resolves.toEqual({ ok: true });
        await expect(store.insertKey(record(OTHER_DOMAIN, 'app/orders'), NO_LIMIT)).resolves.toEqual({ ok: true });
      });

      it('compares aliases exactly (case-sensitive)', async () => {
        await store.insertKey(record(PROJECT_A, 'orders'), NO_LIMIT);
        await expect(store.insertKey(record(PROJECT_A, 'Orders'), NO_LIMIT)).resolves.toEqual({ ok: true });
        expect((await store.findKeyByAlias(PROJECT_A, 'Orders'))!.keyAlias).toBe('Orders');
      });

      it('lets exactly one of many concurrent same-alias inserts win', async () => {
        const attempts = Array.from({ length: 25 }, () => record(PROJECT_A, 'contended'));
        const results = await Promise.all(attempts.map((key) => store.insertKey(key, NO_LIMIT)));
        expect(results.filter((result) => result.ok)).toHaveLength(1);
        expect(results.filter((result) => !result.ok)).toEqual(Array(24).fill({ ok: false, reason: 'duplicate-alias' }));
        const winner = attempts[results.findIndex((result) => result.ok)]!;
        expect(await store.findKeyByAlias(PROJECT_A, 'contended')).toEqual(winner);
        expect(await store.countKeys(PROJECT_A)).toBe(1);
      });
    });

    describe('quota', () => {
      const limits = { maxKeysPerProject: 3 };

      it('allows N keys in a project, then refuses with quota-exceeded', async () => {
        for (let i = 0; i < 3; i += 1) {
          await expect(store.insertKey(record(PROJECT_A, `k${i}`), limits)).resolves.toEqual({ ok: true });
        }
        const extra = record(PROJECT_A, 'k3');
        await expect(store.insertKey(extra, limits)).resolves.toEqual({ ok: false, reason: 'quota-exceeded' });
        expect(await store.findKeyById(PROJECT_A, extra.keyId)).toBeUndefined();
        expect(await store.countKeys(PROJECT_A)).toBe(3);
      });

      it('counts per project: a full project does not limit another', async () => {
        for (let i = 0; i < 3; i += 1) await store.insertKey(record(PROJECT_A, `k${i}`), limits);
        for (const other of [PROJECT_B, OTHER_DOMAIN]) {
          for (let i = 0; i < 3; i += 1) {
            await expect(store.insertKey(record(other, `k${i}`), limits)).resolves.toEqual({ ok: true });
          }
          await expect(store.insertKey(record(other, 'k3'), limits)).resolves.toEqual({ ok: false, reason: 'quota-exceeded' });
        }
      });

      it('reports a duplicate alias before the quota when both apply', async () => {
        for (let i = 0; i < 3; i += 1) await store.insertKey(record(PROJECT_A, `k${i}`), limits);
        await expect(store.insertKey(record(PROJECT_A, 'k0'), limits)).resolves.toEqual({ ok: false, reason: 'duplicate-alias' });
      });

      it('admits exactly N of many concurrent inserts', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.insertKey(record(PROJECT_A, `c${i}`), limits)));
        expect(results.filter((result) => result.ok)).toHaveLength(3);
        expect(results.filter((result) => !result.ok)).toEqual(Array(17).fill({ ok: false, reason: 'quota-exceeded' }));
        expect(await store.countKeys(PROJECT_A)).toBe(3);
      });
    });

    describe('listKeys', () => {
      /** Every page from the start, following the last key of each page. */
      async function listAll(
        scope: Scope,
        limit: number,
        keyState?: ListKeysQuery['keyState'],
        between?: () => Promise<void>,
      ): Promise<KeyRecord[][]> {
        const pages: KeyRecord[][] = [];
        let after: ListKeysQuery['after'];
        for (;;) {
          const page = await store.listKeys(scope, { limit, after, keyState });
          pages.push(page.keys);
          if (!page.truncated) return pages;
          expect(page.keys).toHaveLength(limit);
          const last = page.keys[page.keys.length - 1]!;
          after = { creationDate: last.creationDate, keyId: last.keyId };
          if (between) await between();
        }
      }

      it('returns nothing for an empty project, not truncated, total 0', async () => {
        await expect(store.listKeys(PROJECT_A, { limit: 10 })).resolves.toEqual({ keys: [], truncated: false, total: 0 });
      });

      it('orders by creation date, then key ID by code unit, with every field, and only the own project', async () => {
        const keys = [
          record(PROJECT_A, 'c', { creationDate: 3, keyId: 'b0000000-0000-0000-0000-000000000000' }),
          record(PROJECT_A, 'a', { creationDate: 1, keyId: 'z0000000-0000-0000-0000-000000000000' }),
          record(PROJECT_A, 'b', { creationDate: 3, keyId: 'a0000000-0000-0000-0000-000000000000' }),
          record(PROJECT_A, 'd', {
            creationDate: 3,
            keyId: '90000000-0000-0000-0000-000000000000',
            wrappedMaterial: null,
            keyState: KeyState.PendingImport,
          }),
        ];
        for (const key of keys) await store.insertKey(key, NO_LIMIT);
        await store.insertKey(record(PROJECT_B, 'x', { creationDate: 0 }), NO_LIMIT);
        await store.insertKey(record(OTHER_DOMAIN, 'y', { creationDate: 0 }), NO_LIMIT);
        const page = await store.listKeys(PROJECT_A, { limit: 10 });
        expect(page.keys).toEqual([keys[1], keys[3], keys[2], keys[0]]);
        expect(page).toMatchObject({ truncated: false, total: 4 });
      });

      it('pages by limit: both sides of the boundary, the cursor excluded', async () => {
        for (let i = 0; i < 5; i += 1) await store.insertKey(record(PROJECT_A, `k${i}`, { creationDate: 100 + i }), NO_LIMIT);
        const exact = await store.listKeys(PROJECT_A, { limit: 5 });
        expect(exact).toMatchObject({ truncated: false, total: 5 });
        expect(exact.keys).toHaveLength(5);
        const short = await store.listKeys(PROJECT_A, { limit: 4 });
        expect(short).toMatchObject({ truncated: true, total: 5 });
        const last = short.keys[3]!;
        const rest = await store.listKeys(PROJECT_A, { limit: 4, after: { creationDate: last.creationDate, keyId: last.keyId } });
        expect(rest.keys.map((key) => key.keyAlias)).toEqual(['k4']);
        expect(rest).toMatchObject({ truncated: false, total: 5 });
      });

      it('filters by enterprise project, alone and with a key state, total counting only the matches', async () => {
        const other = 'b168fe00-ff56-4924-95a7-d22974df2d0b';
        await store.insertKey(record(PROJECT_A, 'default-on', { creationDate: 1 }), NO_LIMIT);
        await store.insertKey(record(PROJECT_A, 'other-on', { creationDate: 2, enterpriseProjectId: other }), NO_LIMIT);
        await store.insertKey(
          record(PROJECT_A, 'other-off', { creationDate: 3, enterpriseProjectId: other, keyState: KeyState.Disabled }),
          NO_LIMIT,
        );
        await store.insertKey(record(PROJECT_B, 'other-b', { creationDate: 4, enterpriseProjectId: other }), NO_LIMIT);
        const inOther = await store.listKeys(PROJECT_A, { limit: 1, enterpriseProjectId: other });
        expect(inOther.keys.map((key) => key.keyAlias)).toEqual(['other-on']);
        expect(inOther).toMatchObject({ truncated: true, total: 2 });
        const last = inOther.keys[0]!;
        const rest = await store.listKeys(PROJECT_A, {
          limit: 1,
          enterpriseProjectId: other,
          after: { creationDate: last.creationDate, keyId: last.keyId },
        });
        expect(rest.keys.map((key) => key.keyAlias)).toEqual(['other-off']);
        expect(rest).toMatchObject({ truncated: false, total: 2 });
        const both = await store.listKeys(PROJECT_A, { limit: 10, enterpriseProjectId: other, keyState: KeyState.Disabled });
        expect(both.keys.map((key) => key.keyAlias)).toEqual(['other-off']);
        expect(both.total).toBe(1);
        const inDefault = await store.listKeys(PROJECT_A, { limit: 10, enterpriseProjectId: '0' });
        expect(inDefault.keys.map((key) => key.keyAlias)).toEqual(['default-on']);
        expect(inDefault.total).toBe(1);
        await expect(store.listKeys(PROJECT_A, { limit: 10, enterpriseProjectId: 'none' })).resolves.toEqual({
          keys: [],
          truncated: false,
          total: 0,
        });
      });

      it('filters by key state, total counting only that state', async () => {
        await store.insertKey(record(PROJECT_A, 'on', { creationDate: 1 }), NO_LIMIT);
        await store.insertKey(record(PROJECT_A, 'off', { creationDate: 2, keyState: KeyState.Disabled }), NO_LIMIT);
        await store.insertKey(
          record(PROJECT_A, 'ext', { creationDate: 3, keyState: KeyState.PendingImport, wrappedMaterial: null }),
          NO_LIMIT,
        );
        const disabled = await store.listKeys(PROJECT_A, { limit: 10, keyState: KeyState.Disabled });
        expect(disabled.keys.map((key) => key.keyAlias)).toEqual(['off']);
        expect(disabled.total).toBe(1);
        await expect(store.listKeys(PROJECT_A, { limit: 10, keyState: KeyState.PendingDeletion })).resolves.toEqual({
          keys: [],
          truncated: false,
          total: 0,
        });
      });

      it('never repeats nor skips a key that existed at the start, while keys are inserted between pages (property)', async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 14 }),
            fc.integer({ min: 1, max: 5 }),
            fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 8 }),
            async (existingDates, limit, insertedDates) => {
              run += 1;
              // A project of its own per run, so runs do not see each other's keys.
              const scope: Scope = { domainId: PROJECT_A.domainId, projectId: `prop-${run}-${randomUUID()}`.slice(0, 64) };
              const existing = existingDates.map((date, i) => record(scope, `e${i}`, { creationDate: date }));
              for (const key of existing) await store.insertKey(key, NO_LIMIT);
              let next = 0;
              const pages = await listAll(scope, limit, undefined, async () => {
                // Keys created concurrently with the pagination: dates before, at and after the cursor.
                const inserts = insertedDates
                  .slice(next, next + 2)
                  .map((date, i) => store.insertKey(record(scope, `n${next + i}`, { creationDate: date }), NO_LIMIT));
                next += 2;
                await Promise.all(inserts);
              });
              const seen = pages.flat().map((key) => key.keyId);
              expect(new Set(seen).size).toBe(seen.length);
              for (const key of existing) expect(seen).toContain(key.keyId);
            },
          ),
          { numRuns: 25 },
        );
      });
    });

    describe('meta', () => {
      it('is undefined until set', async () => {
        expect(await store.getMeta('root_key_check_value')).toBeUndefined();
      });

      it('keeps the first value: setMetaIfAbsent resolves to what is stored', async () => {
        await expect(store.setMetaIfAbsent('root_key_check_value', 'first')).resolves.toBe('first');
        await expect(store.setMetaIfAbsent('root_key_check_value', 'second')).resolves.toBe('first');
        expect(await store.getMeta('root_key_check_value')).toBe('first');
      });

      it('keeps names apart', async () => {
        await store.setMetaIfAbsent('a', '1');
        await store.setMetaIfAbsent('b', '2');
        expect(await store.getMeta('a')).toBe('1');
        expect(await store.getMeta('b')).toBe('2');
        expect(await store.getMeta('c')).toBeUndefined();
      });

      it('agrees on one value when set concurrently', async () => {
        const values = await Promise.all(Array.from({ length: 10 }, (_, i) => store.setMetaIfAbsent('contended', `v${i}`)));
        expect(new Set(values).size).toBe(1);
        expect(await store.getMeta('contended')).toBe(values[0]);
      });

      it('compareAndSetMeta changes or removes a value only when it holds the expected one', async () => {
        await expect(store.compareAndSetMeta('cas', 'x', 'y')).resolves.toBe(false);
        expect(await store.getMeta('cas')).toBeUndefined();
        await store.setMetaIfAbsent('cas', 'one');
        await expect(store.compareAndSetMeta('cas', 'two', 'three')).resolves.toBe(false);
        expect(await store.getMeta('cas')).toBe('one');
        await expect(store.compareAndSetMeta('cas', 'one', 'two')).resolves.toBe(true);
        expect(await store.getMeta('cas')).toBe('two');
        await expect(store.compareAndSetMeta('cas', 'one', undefined)).resolves.toBe(false);
        await expect(store.compareAndSetMeta('cas', 'two', undefined)).resolves.toBe(true);
        expect(await store.getMeta('cas')).toBeUndefined();
        // Absent again, so it can be set anew.
        await expect(store.setMetaIfAbsent('cas', 'four')).resolves.toBe('four');
      });

      it('lets exactly one of concurrent compareAndSetMeta calls win', async () => {
        await store.setMetaIfAbsent('race', 'start');
        const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => store.compareAndSetMeta('race', 'start', `v${i}`)));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await store.getMeta('race')).toBe(`v${wins.indexOf(true)}`);
      });
    });

    describe('insert conditioned on a setting (metaEquals)', () => {
      const required = { name: 'root_key_check_value', value: 'aaaa' };

      it('inserts while the setting holds the value, and refuses (meta-mismatch) otherwise', async () => {
        const absent = record(PROJECT_A, 'absent');
        await expect(store.insertKey(absent, { ...NO_LIMIT, metaEquals: required })).resolves.toEqual({
          ok: false,
          reason: 'meta-mismatch',
        });
        await store.setMetaIfAbsent(required.name, required.value);
        const present = record(PROJECT_A, 'present');
        await expect(store.insertKey(present, { ...NO_LIMIT, metaEquals: required })).resolves.toEqual({ ok: true });
        await store.compareAndSetMeta(required.name, required.value, 'bbbb');
        const changed = record(PROJECT_A, 'changed');
        await expect(store.insertKey(changed, { ...NO_LIMIT, metaEquals: required })).resolves.toEqual({
          ok: false,
          reason: 'meta-mismatch',
        });
        expect(await store.findKeyById(PROJECT_A, absent.keyId)).toBeUndefined();
        expect(await store.findKeyById(PROJECT_A, present.keyId)).toEqual(present);
        expect(await store.findKeyById(PROJECT_A, changed.keyId)).toBeUndefined();
        expect(await store.countKeys(PROJECT_A)).toBe(1);
      });

      it('commits every insert made under the old value before a concurrent compareAndSetMeta resolves', async () => {
        // What root key rotation relies on: once the active root key has changed, a scan finds
        // every key wrapped under the old one; none can be committed after the scan started.
        await store.setMetaIfAbsent(required.name, required.value);
        const scope: Scope = { domainId: PROJECT_A.domainId, projectId: `cas-${randomUUID()}`.slice(0, 36) };
        const keys = Array.from({ length: 30 }, (_, i) => record(scope, `k${i}`));
        const inserts = keys.map((key) => store.insertKey(key, { ...NO_LIMIT, metaEquals: required }));
        await new Promise((resolve) => setImmediate(resolve));
        expect(await store.compareAndSetMeta(required.name, required.value, 'bbbb')).toBe(true);
        const seenRightAfter = new Set((await store.scanKeys(undefined, 1000)).map((key) => key.keyId));
        const results = await Promise.all(inserts);
        results.forEach((result, i) => {
          if (result.ok) expect(seenRightAfter.has(keys[i]!.keyId)).toBe(true);
          else expect(result).toEqual({ ok: false, reason: 'meta-mismatch' });
        });
        const late = record(scope, 'late');
        await expect(store.insertKey(late, { ...NO_LIMIT, metaEquals: required })).resolves.toEqual({ ok: false, reason: 'meta-mismatch' });
      });
    });

    describe('scanKeys and replaceWrappedMaterial (store-wide maintenance)', () => {
      it('returns every key of every project once, in key ID order by code unit, page by page', async () => {
        const keys = [
          ...Array.from({ length: 7 }, (_, i) => record(PROJECT_A, `a${i}`)),
          ...Array.from({ length: 5 }, (_, i) => record(PROJECT_B, `b${i}`)),
          ...Array.from({ length: 4 }, (_, i) =>
            record(OTHER_DOMAIN, `c${i}`, { wrappedMaterial: null, origin: 'external', keyState: KeyState.PendingImport }),
          ),
          // Upper-case IDs sort before lower-case ones by code unit, whatever a collation says.
          record(PROJECT_A, 'upper', { keyId: 'ZZZZZZZZ-0000-4000-8000-000000000000' }),
        ];
        for (const key of keys) await store.insertKey(key, NO_LIMIT);
        const seen: KeyRecord[] = [];
        for (let after: string | undefined; ;) {
          const page = await store.scanKeys(after, 3);
          expect(page.length).toBeLessThanOrEqual(3);
          seen.push(...page);
          if (page.length < 3) break;
          after = page[page.length - 1]!.keyId;
        }
        const expected = [...keys].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
        expect(seen).toEqual(expected);
        expect(await store.scanKeys(expected[expected.length - 1]!.keyId, 10)).toEqual([]);
      });

      it('replaces wrapped material only when it still holds the expected bytes', async () => {
        const key = record(PROJECT_A, 'swap');
        await store.insertKey(key, NO_LIMIT);
        const first = randomBytes(69);
        const second = randomBytes(69);
        await expect(store.replaceWrappedMaterial(key.keyId, randomBytes(60), first)).resolves.toBe(false);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.wrappedMaterial).toEqual(key.wrappedMaterial);
        await expect(store.replaceWrappedMaterial(key.keyId, key.wrappedMaterial!, first)).resolves.toBe(true);
        expect(await store.findKeyById(PROJECT_A, key.keyId)).toEqual({ ...key, wrappedMaterial: first });
        // The old bytes no longer match.
        await expect(store.replaceWrappedMaterial(key.keyId, key.wrappedMaterial!, second)).resolves.toBe(false);
        await expect(store.replaceWrappedMaterial(randomUUID(), first, second)).resolves.toBe(false);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.wrappedMaterial).toEqual(first);
      });

      it('lets exactly one of concurrent replacements of the same bytes win', async () => {
        const key = record(PROJECT_A, 'race');
        await store.insertKey(key, NO_LIMIT);
        const candidates = Array.from({ length: 8 }, () => randomBytes(69));
        const wins = await Promise.all(
          candidates.map((candidate) => store.replaceWrappedMaterial(key.keyId, key.wrappedMaterial!, candidate)),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.wrappedMaterial).toEqual(candidates[wins.indexOf(true)]);
      });

      it('never replaces the material of a key without any', async () => {
        const key = record(PROJECT_A, 'external', { origin: 'external', keyState: KeyState.PendingImport, wrappedMaterial: null });
        await store.insertKey(key, NO_LIMIT);
        await expect(store.replaceWrappedMaterial(key.keyId, Buffer.alloc(0), randomBytes(69))).resolves.toBe(false);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.wrappedMaterial).toBeNull();
      });
    });

    describe('key state transitions (compare and set on the state)', () => {
      it('moves a key from the expected state, with its deletion date, and back', async () => {
        const key = record(PROJECT_A, 'lifecycle');
        await store.insertKey(key, NO_LIMIT);
        const change = { from: KeyState.Enabled, to: KeyState.PendingDeletion, scheduledDeletionDate: 1_800_000_000_456 };
        await expect(store.transitionKeyState(PROJECT_A, key.keyId, change)).resolves.toBe(true);
        expect(await store.findKeyById(PROJECT_A, key.keyId)).toEqual({ ...key, keyState: '4', scheduledDeletionDate: 1_800_000_000_456 });
        const back = { from: KeyState.PendingDeletion, to: KeyState.Disabled, scheduledDeletionDate: null };
        await expect(store.transitionKeyState(PROJECT_A, key.keyId, back)).resolves.toBe(true);
        const found = await store.findKeyById(PROJECT_A, key.keyId);
        expect(found).toEqual({ ...key, keyState: '3' });
        expect(found?.scheduledDeletionDate ?? null).toBeNull();
        const listed = (await store.listKeys(PROJECT_A, { limit: 10 })).keys[0];
        expect(listed?.keyState).toBe('3');
      });

      it('refuses a key not in the expected state, of another project, or unknown', async () => {
        const key = record(PROJECT_A, 'stale');
        await store.insertKey(key, NO_LIMIT);
        const change = { from: KeyState.Disabled, to: KeyState.Enabled, scheduledDeletionDate: null };
        await expect(store.transitionKeyState(PROJECT_A, key.keyId, change)).resolves.toBe(false);
        const disable = { from: KeyState.Enabled, to: KeyState.Disabled, scheduledDeletionDate: null };
        await expect(store.transitionKeyState(PROJECT_B, key.keyId, disable)).resolves.toBe(false);
        await expect(store.transitionKeyState(OTHER_DOMAIN, key.keyId, disable)).resolves.toBe(false);
        await expect(store.transitionKeyState(PROJECT_A, randomUUID(), disable)).resolves.toBe(false);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.keyState).toBe(KeyState.Enabled);
      });

      it('lets exactly one of concurrent transitions from the same state win', async () => {
        const key = record(PROJECT_A, 'race-state');
        await store.insertKey(key, NO_LIMIT);
        const targets = [KeyState.Disabled, KeyState.PendingDeletion, KeyState.Disabled, KeyState.PendingDeletion];
        const wins = await Promise.all(
          targets.map((to) => store.transitionKeyState(PROJECT_A, key.keyId, { from: KeyState.Enabled, to, scheduledDeletionDate: null })),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await store.findKeyById(PROJECT_A, key.keyId))!.keyState).toBe(targets[wins.indexOf(true)]);
      });
    });

    describe('purge of keys due for deletion', () => {
      const due = (date: number) => ({ keyState: KeyState.PendingDeletion, scheduledDeletionDate: date });

      it('deletes exactly the pending keys whose date has come, freeing alias and quota', async () => {
        const past = record(PROJECT_A, 'past', due(1_000));
        const now = record(PROJECT_B, 'now', due(2_000));
        const future = record(PROJECT_A, 'future', due(2_001));
        const enabled = record(PROJECT_A, 'enabled');
        for (const key of [past, now, future, enabled]) await store.insertKey(key, NO_LIMIT);
        expect((await store.purgeKeysDueForDeletion(2_000, 100)).sort()).toEqual([past.keyId, now.keyId].sort());
        expect(await store.findKeyById(PROJECT_A, past.keyId)).toBeUndefined();
        expect(await store.findKeyByAlias(PROJECT_B, 'now')).toBeUndefined();
        expect(await store.findKeyById(PROJECT_A, future.keyId)).toBeDefined();
        expect(await store.countKeys(PROJECT_A)).toBe(2);
        expect((await store.scanKeys(undefined, 100)).map((key) => key.keyId).sort()).toEqual([future.keyId, enabled.keyId].sort());
        // The alias and the quota slot are free again.
        await expect(store.insertKey(record(PROJECT_A, 'past'), { maxKeysPerProject: 3 })).resolves.toEqual({ ok: true });
        // Idempotent: nothing more is due.
        await expect(store.purgeKeysDueForDeletion(2_000, 100)).resolves.toEqual([]);
      });

      it('leaves keys past their date out of listKeys (page and total) when asked with goneAt', async () => {
        const gone = record(PROJECT_A, 'gone', due(1_000));
        const pending = record(PROJECT_A, 'pending', due(3_000));
        const enabled = record(PROJECT_A, 'enabled');
        for (const key of [gone, pending, enabled]) await store.insertKey(key, NO_LIMIT);
        const page = await store.listKeys(PROJECT_A, { limit: 10, goneAt: 2_000 });
        expect(page.keys.map((key) => key.keyAlias).sort()).toEqual(['enabled', 'pending']);
        expect(page.total).toBe(2);
        expect((await store.listKeys(PROJECT_A, { limit: 1, goneAt: 2_000, keyState: KeyState.PendingDeletion })).total).toBe(1);
        expect((await store.listKeys(PROJECT_A, { limit: 10 })).total).toBe(3);
      });

      it('never deletes a key whose deletion was cancelled, even with an old date left behind', async () => {
        const key = record(PROJECT_A, 'cancelled', due(1_000));
        await store.insertKey(key, NO_LIMIT);
        await store.transitionKeyState(PROJECT_A, key.keyId, {
          from: KeyState.PendingDeletion,
          to: KeyState.Disabled,
          scheduledDeletionDate: null,
        });
        await expect(store.purgeKeysDueForDeletion(5_000, 100)).resolves.toEqual([]);
        expect(await store.findKeyById(PROJECT_A, key.keyId)).toBeDefined();
      });

      it('deletes at most `limit` keys a call, and concurrent purges report each key once', async () => {
        const keys = Array.from({ length: 7 }, (_, i) => record(PROJECT_A, `batch-${i}`, due(1_000 + i)));
        for (const key of keys) await store.insertKey(key, NO_LIMIT);
        expect(await store.purgeKeysDueForDeletion(10_000, 3)).toHaveLength(3);
        const reported = (await Promise.all([1, 2, 3].map(() => store.purgeKeysDueForDeletion(10_000, 2)))).flat();
        const rest = await store.purgeKeysDueForDeletion(10_000, 100);
        const all = [...reported, ...rest];
        expect(new Set(all).size).toBe(all.length);
        expect(all).toHaveLength(4);
        expect(await store.countKeys(PROJECT_A)).toBe(0);
      });
    });

    it('can be closed twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
