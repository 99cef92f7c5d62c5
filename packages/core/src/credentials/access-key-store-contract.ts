import { randomBytes } from 'node:crypto';
import type { KeyStore } from '../store/key-store';
import { generateAccessKeyId, type AccessKeyRecord } from './access-key';
import type { AccessKeyStore } from './access-key-store';

/**
 * The behaviour every AccessKeyStore shares, as a jest suite run against the memory, SQLite
 * and PostgreSQL stores. `open` gives a fresh, empty store; `cleanup` closes it and removes
 * what it made. (Test-only: excluded from the build by tsconfig.build.json.)
 */
export interface OpenedAccessKeyStore {
  readonly store: KeyStore & AccessKeyStore;
  cleanup(): Promise<void>;
}

const DOMAIN = 'be34df18ddd7d205c328aa86e086beff';

function accessKey(overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId: generateAccessKeyId(),
    name: 'orders-service',
    domainId: DOMAIN,
    projects: ['b32bfed7f3bfca454eb23da2148ace28'],
    createdAt: 1_700_000_000_123,
    revokedAt: null,
    wrappedSecret: randomBytes(77),
    ...overrides,
  };
}

export function describeAccessKeyStoreContract(name: string, open: () => Promise<OpenedAccessKeyStore>): void {
  describe(`AccessKeyStore contract: ${name}`, () => {
    let opened: OpenedAccessKeyStore;
    let store: KeyStore & AccessKeyStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    it('returns every field of an inserted key, the wrapped secret byte for byte and the projects in order', async () => {
      const key = accessKey({
        projects: ['zz-last', 'aa_first', 'b32bfed7f3bfca454eb23da2148ace28'],
        // Bytes that text columns or encodings would mangle.
        wrappedSecret: Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x00, ...randomBytes(72)]),
      });
      await expect(store.insertAccessKey(key)).resolves.toEqual({ ok: true });
      const found = await store.findAccessKey(key.accessKeyId);
      expect(found).toEqual(key);
      expect(Buffer.isBuffer(found!.wrappedSecret) && found!.wrappedSecret.equals(key.wrappedSecret)).toBe(true);
      expect(typeof found!.createdAt).toBe('number');
    });

    it('finds nothing for an unknown access key ID', async () => {
      await store.insertAccessKey(accessKey());
      expect(await store.findAccessKey(generateAccessKeyId())).toBeUndefined();
      expect(await store.findAccessKey('')).toBeUndefined();
    });

    it('refuses a second key with the same ID and keeps the first', async () => {
      const first = accessKey();
      await store.insertAccessKey(first);
      const second = accessKey({ accessKeyId: first.accessKeyId, name: 'intruder', wrappedSecret: randomBytes(77) });
      expect(await store.insertAccessKey(second)).toEqual({ ok: false, reason: 'duplicate-access-key-id' });
      expect(await store.findAccessKey(first.accessKeyId)).toEqual(first);
    });

    it('allows two live keys of one name (a principal rotating its key)', async () => {
      await store.insertAccessKey(accessKey({ name: 'same' }));
      await expect(store.insertAccessKey(accessKey({ name: 'same' }))).resolves.toEqual({ ok: true });
      expect((await store.listAccessKeys()).filter((key) => key.name === 'same')).toHaveLength(2);
    });

    it('inserts conditioned on a store setting only while the setting holds', async () => {
      await store.setMetaIfAbsent('root_key_check_value', 'aaaa');
      const refused = accessKey();
      expect(await store.insertAccessKey(refused, { metaEquals: { name: 'root_key_check_value', value: 'bbbb' } })).toEqual({
        ok: false,
        reason: 'meta-mismatch',
      });
      expect(await store.findAccessKey(refused.accessKeyId)).toBeUndefined();
      expect(await store.insertAccessKey(accessKey(), { metaEquals: { name: 'absent', value: 'x' } })).toEqual({
        ok: false,
        reason: 'meta-mismatch',
      });
      const accepted = accessKey();
      expect(await store.insertAccessKey(accepted, { metaEquals: { name: 'root_key_check_value', value: 'aaaa' } })).toEqual({ ok: true });
      expect(await store.findAccessKey(accepted.accessKeyId)).toEqual(accepted);
    });

    it('lists every key, live and revoked, by creation time then ID, never with the secret', async () => {
      const later = accessKey({ createdAt: 3000 });
      const tieB = accessKey({ accessKeyId: 'BBBBBBBBBBBBBBBBBBBB', createdAt: 2000 });
      const tieA = accessKey({ accessKeyId: 'AAAAAAAAAAAAAAAAAAAA', createdAt: 2000 });
      for (const key of [later, tieB, tieA]) await store.insertAccessKey(key);
      await store.revokeAccessKey(later.accessKeyId, 4000);
      const listed = await store.listAccessKeys();
      expect(listed.map((key) => key.accessKeyId)).toEqual([tieA.accessKeyId, tieB.accessKeyId, later.accessKeyId]);
      for (const key of listed) expect(Object.keys(key)).not.toContain('wrappedSecret');
      const { wrappedSecret: _omitted, ...summary } = later;
      expect(listed[2]).toEqual({ ...summary, revokedAt: 4000 });
      expect(JSON.stringify(listed)).not.toContain(later.wrappedSecret.toString('hex'));
    });

    it('revokes a live key once: it stays findable with its revocation time, and revoking again or an unknown ID does nothing', async () => {
      const key = accessKey();
      const other = accessKey();
      await store.insertAccessKey(key);
      await store.insertAccessKey(other);
      expect(await store.revokeAccessKey(key.accessKeyId, 1_800_000_000_000)).toBe(true);
      expect(await store.findAccessKey(key.accessKeyId)).toEqual({ ...key, revokedAt: 1_800_000_000_000 });
      expect(await store.revokeAccessKey(key.accessKeyId, 1_900_000_000_000)).toBe(false);
      expect((await store.findAccessKey(key.accessKeyId))!.revokedAt).toBe(1_800_000_000_000);
      expect(await store.revokeAccessKey(generateAccessKeyId(), 1)).toBe(false);
      expect(await store.findAccessKey(other.accessKeyId)).toEqual(other);
    });

    it('scans every key by ID in pages and replaces a wrapped secret only while it is the expected one', async () => {
      const keys = Array.from({ length: 5 }, () => accessKey());
      for (const key of keys) await store.insertAccessKey(key);
      await store.revokeAccessKey(keys[0]!.accessKeyId, 5);
      const seen: string[] = [];
      for (let after: string | undefined; ;) {
        const page = await store.scanAccessKeys(after, 2);
        seen.push(...page.map((key) => key.accessKeyId));
        if (page.length < 2) break;
        after = page[page.length - 1]!.accessKeyId;
      }
      expect(seen).toEqual(keys.map((key) => key.accessKeyId).sort());

      const target = keys[1]!;
      const replacement = randomBytes(77);
      expect(await store.replaceWrappedSecret(target.accessKeyId, randomBytes(77), replacement)).toBe(false);
      expect(await store.replaceWrappedSecret(target.accessKeyId, target.wrappedSecret, replacement)).toBe(true);
      expect((await store.findAccessKey(target.accessKeyId))!.wrappedSecret.equals(replacement)).toBe(true);
      expect(await store.replaceWrappedSecret(target.accessKeyId, target.wrappedSecret, randomBytes(77))).toBe(false);
      expect(await store.replaceWrappedSecret(generateAccessKeyId(), target.wrappedSecret, replacement)).toBe(false);
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      const key = accessKey();
      await store.insertAccessKey(key);
      const found = (await store.findAccessKey(key.accessKeyId))!;
      found.wrappedSecret.fill(0);
      (found.projects as string[]).push('extra');
      expect(await store.findAccessKey(key.accessKeyId)).toEqual(key);
    });

    it('keeps access keys apart from customer master keys and settings', async () => {
      const key = accessKey();
      await store.insertAccessKey(key);
      expect(await store.scanKeys(undefined, 10)).toEqual([]);
      expect(await store.getMeta(key.accessKeyId)).toBeUndefined();
    });
  });
}
