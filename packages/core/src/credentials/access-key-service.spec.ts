import { inspect } from 'node:util';
import fc from 'fast-check';
import { RootKey, wrappingRootKeyId } from '../crypto/root-key';
import { RootKeyRing } from '../crypto/root-key-ring';
import { ACTIVE_ROOT_KEY_META } from '../service/root-key-state';
import { MemoryKeyStore } from '../store/memory-key-store';
import { ACCESS_KEY_ID_PATTERN, generateAccessKeyId, generateSecretKey, SECRET_KEY_PATTERN } from './access-key';
import { AccessKeyService } from './access-key-service';

const DOMAIN = 'be34df18ddd7d205c328aa86e086beff';
const PROJECT = 'b32bfed7f3bfca454eb23da2148ace28';

describe('access key IDs and secrets', () => {
  it('have Huawei Cloud’s shapes (AK: 20 upper-case letters and digits; SK: 40 letters and digits) and do not repeat', () => {
    const ids = new Set<string>();
    const secrets = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = generateAccessKeyId();
      const secret = generateSecretKey();
      expect(id).toMatch(ACCESS_KEY_ID_PATTERN);
      expect(secret).toMatch(SECRET_KEY_PATTERN);
      ids.add(id);
      secrets.add(secret);
    }
    expect(ids.size).toBe(2000);
    expect(secrets.size).toBe(2000);
  });

  it('use every character of their alphabet (drawn uniformly, not a fixed subset)', () => {
    const seen = new Set([...Array.from({ length: 300 }, generateSecretKey).join('')]);
    expect(seen.size).toBe(62);
  });
});

describe('AccessKeyService', () => {
  const rootKey = RootKey.generate();
  let store: MemoryKeyStore;
  let service: AccessKeyService;
  let now: number;

  beforeEach(async () => {
    store = new MemoryKeyStore();
    now = 1_800_000_000_000;
    service = await AccessKeyService.open({ store, rootKey, now: () => now });
  });

  it('creates a key whose SK is stored only wrapped under the active root key, and opens it again for the resolver', async () => {
    const created = await service.create({ name: 'orders', domainId: DOMAIN, projects: [PROJECT, PROJECT, 'other'] });
    expect(created).toMatchObject({ name: 'orders', domainId: DOMAIN, projects: [PROJECT, 'other'], createdAt: now, revokedAt: null });
    expect(created.accessKeyId).toMatch(ACCESS_KEY_ID_PATTERN);
    expect(created.secretKey).toMatch(SECRET_KEY_PATTERN);

    const stored = (await store.findAccessKey(created.accessKeyId))!;
    expect(wrappingRootKeyId(stored.wrappedSecret)).toBe(rootKey.checkValue());
    expect(stored.wrappedSecret.includes(Buffer.from(created.secretKey))).toBe(false);
    expect(inspect(stored, { depth: Infinity })).not.toContain(created.secretKey);

    expect(await service.findLive(created.accessKeyId)).toEqual({
      accessKeyId: created.accessKeyId,
      name: 'orders',
      secretKey: created.secretKey,
      domainId: DOMAIN,
      projects: [PROJECT, 'other'],
    });
  });

  it('binds the wrapped SK to its access key: moved to another key, it does not open', async () => {
    const a = await service.create({ name: 'a', domainId: DOMAIN, projects: [PROJECT] });
    const b = await service.create({ name: 'b', domainId: DOMAIN, projects: [PROJECT] });
    const wrappedA = (await store.findAccessKey(a.accessKeyId))!.wrappedSecret;
    const wrappedB = (await store.findAccessKey(b.accessKeyId))!.wrappedSecret;
    await store.replaceWrappedSecret(b.accessKeyId, wrappedB, wrappedA);
    await expect(service.findLive(b.accessKeyId)).rejects.toThrow(/does not open/);
    // The message names the key, never a secret.
    await service.findLive(b.accessKeyId).catch((error: Error) => {
      expect(error.message).not.toContain(a.secretKey);
      expect(error.message).not.toContain(b.secretKey);
    });
  });

  it('finds nothing for an unknown, malformed or revoked access key, and lists every key without its secret', async () => {
    const kept = await service.create({ name: 'kept', domainId: DOMAIN, projects: [PROJECT] });
    now += 5;
    const revoked = await service.create({ name: 'gone', domainId: DOMAIN, projects: [PROJECT] });
    now += 5;
    expect(await service.revoke(revoked.accessKeyId)).toBe(true);
    expect(await service.revoke(revoked.accessKeyId)).toBe(false);
    expect(await service.findLive(revoked.accessKeyId)).toBeUndefined();
    expect(await service.findLive(generateAccessKeyId())).toBeUndefined();
    expect(await service.findLive(kept.accessKeyId.toLowerCase())).toBeUndefined();
    expect(await service.findLive('')).toBeUndefined();

    const listed = await service.list();
    expect(listed.map(({ accessKeyId, revokedAt }) => ({ accessKeyId, revokedAt }))).toEqual([
      { accessKeyId: kept.accessKeyId, revokedAt: null },
      { accessKeyId: revoked.accessKeyId, revokedAt: now },
    ]);
    const shown = JSON.stringify(listed);
    expect(shown).not.toContain(kept.secretKey);
    expect(shown).not.toContain('wrappedSecret');
  });

  it('takes a fixed AK and SK (test tenants), and refuses to reuse an AK', async () => {
    const accessKeyId = 'AKFIXED0000000000001';
    const secretKey = 'S'.repeat(40);
    const created = await service.create({ name: 'fixed', domainId: DOMAIN, projects: [PROJECT], accessKeyId, secretKey });
    expect(created).toMatchObject({ accessKeyId, secretKey });
    expect((await service.findLive(accessKeyId))?.secretKey).toBe(secretKey);
    await expect(service.create({ name: 'again', domainId: DOMAIN, projects: [PROJECT], accessKeyId })).rejects.toThrow(
      `access key ${accessKeyId} already exists`,
    );
  });

  it('refuses bad fields with a message naming the field', async () => {
    const good = { name: 'ok', domainId: DOMAIN, projects: [PROJECT] };
    await expect(service.create({ ...good, name: '' })).rejects.toThrow(/name/);
    await expect(service.create({ ...good, name: 'bad name' })).rejects.toThrow(/name/);
    await expect(service.create({ ...good, domainId: 'ABC' })).rejects.toThrow(/domain ID/);
    await expect(service.create({ ...good, projects: [] })).rejects.toThrow(/at least one project/);
    await expect(service.create({ ...good, projects: ['bad/project'] })).rejects.toThrow(/project ID/);
    await expect(service.create({ ...good, accessKeyId: 'lower0000000000000ab' })).rejects.toThrow(/access key ID/);
    await expect(service.create({ ...good, secretKey: 'short' })).rejects.toThrow(/secret key/);
    expect(await service.list()).toEqual([]);
  });

  it('wraps under the store’s active root key when a rotation has switched it under this service', async () => {
    const next = RootKey.generate();
    const both = await AccessKeyService.open({ store, rootKey, previousRootKeys: [next] });
    await store.compareAndSetMeta(ACTIVE_ROOT_KEY_META, rootKey.checkValue(), next.checkValue());
    const created = await both.create({ name: 'during-rotation', domainId: DOMAIN, projects: [PROJECT] });
    expect(wrappingRootKeyId((await store.findAccessKey(created.accessKeyId))!.wrappedSecret)).toBe(next.checkValue());
  });

  it('opens a secret with any root key the ring holds after a reload, and explains a root key it does not hold', async () => {
    const created = await service.create({ name: 'a', domainId: DOMAIN, projects: [PROJECT] });
    const stranger = RootKey.generate();
    const wrapped = (await store.findAccessKey(created.accessKeyId))!.wrappedSecret;
    const foreign = stranger.wrapSecret(Buffer.from(created.secretKey), { domainId: DOMAIN, credentialId: created.accessKeyId });
    await store.replaceWrappedSecret(created.accessKeyId, wrapped, foreign);
    await expect(service.findLive(created.accessKeyId)).rejects.toThrow(new RegExp(`root key ${stranger.checkValue()}`));
    await service.replaceRootKeys(rootKey, [stranger]);
    expect((await service.findLive(created.accessKeyId))?.secretKey).toBe(created.secretKey);
  });
});

describe('RootKey.wrapSecret', () => {
  const rootKey = RootKey.generate();
  const owner = { domainId: DOMAIN, credentialId: 'AKAAAAAAAAAAAAAAAAAA' };

  it('round-trips any secret of 32 bytes or more, bound to its owner, and never as key material', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 200 }), (bytes) => {
        const secret = Buffer.from(bytes);
        const wrapped = rootKey.wrapSecret(secret, owner);
        expect(rootKey.unwrapSecret(wrapped, owner)).toEqual(secret);
        expect(rootKey.unwrapSecret(wrapped, { ...owner, credentialId: 'AKBBBBBBBBBBBBBBBBBB' })).toBeUndefined();
        expect(rootKey.unwrapSecret(wrapped, { ...owner, domainId: '0'.repeat(32) })).toBeUndefined();
        // Under its own label: a wrapped secret is not key material, whatever its owner fields.
        expect(rootKey.unwrap(wrapped, { domainId: owner.domainId, projectId: '', keyId: owner.credentialId })).toBeUndefined();
        expect(new RootKeyRing([RootKey.generate(), rootKey]).unwrapSecret(wrapped, owner)).toEqual({ secret });
      }),
    );
  });

  it('refuses a secret shorter than 32 bytes (it could take format 0’s length)', () => {
    expect(() => rootKey.wrapSecret(Buffer.alloc(23), owner)).toThrow(/at least 32 bytes/);
  });
});
