import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { sealAesGcm } from './aes-gcm';
import { RootKey, type KeyMaterialOwner } from './root-key';
import { RootKeyRing } from './root-key-ring';

const OWNER: KeyMaterialOwner = {
  domainId: 'be34df18ddd7d205c328aa86e086beff',
  projectId: 'b32bfed7f3bfca454eb23da2148ace28',
  keyId: '71da51ed-46f1-4e1e-99fc-6e5ff47ba02b',
};

describe('RootKeyRing', () => {
  const oldRaw = randomBytes(32);
  const oldKey = RootKey.fromBytes(oldRaw);
  const newKey = RootKey.generate();
  const ring = new RootKeyRing([newKey, oldKey]);

  it('opens material wrapped under any key it holds, choosing the key by the ID in the material', () => {
    const material = randomBytes(32);
    expect(ring.unwrap(oldKey.wrap(material, OWNER), OWNER)).toEqual({ material });
    expect(ring.unwrap(newKey.wrap(material, OWNER), OWNER)).toEqual({ material });
  });

  it('opens format 0 material (no root key ID) under whichever key it was wrapped with', () => {
    const material = randomBytes(32);
    const aad = Buffer.from(['openkms.cmk-material.v1', OWNER.domainId, OWNER.projectId, OWNER.keyId].join('\0'), 'utf8');
    expect(ring.unwrap(sealAesGcm(oldRaw, material, aad), OWNER)).toEqual({ material });
    expect(new RootKeyRing([newKey]).unwrap(sealAesGcm(oldRaw, material, aad), OWNER)).toEqual({ reason: 'failed-authentication' });
  });

  it('names the root key it does not hold, instead of trying the others', () => {
    const stranger = RootKey.generate();
    expect(ring.unwrap(stranger.wrap(randomBytes(32), OWNER), OWNER)).toEqual({
      reason: 'unknown-root-key',
      rootKeyId: stranger.checkValue(),
    });
  });

  it('fails authentication for damaged material, another owner, or bytes of no format', () => {
    const wrapped = newKey.wrap(randomBytes(32), OWNER);
    const damaged = Buffer.from(wrapped);
    damaged[damaged.length - 1]! ^= 1;
    expect(ring.unwrap(damaged, OWNER)).toEqual({ reason: 'failed-authentication' });
    expect(ring.unwrap(wrapped, { ...OWNER, projectId: 'c32bfed7f3bfca454eb23da2148ace28' })).toEqual({ reason: 'failed-authentication' });
    expect(ring.unwrap(Buffer.alloc(5), OWNER)).toEqual({ reason: 'failed-authentication' });
  });

  it('lists the IDs it holds once each, and shows no key bytes', () => {
    expect(new RootKeyRing([newKey, oldKey, newKey]).ids).toEqual([newKey.checkValue(), oldKey.checkValue()]);
    expect(ring.has(oldKey.checkValue())).toBe(true);
    expect(ring.has(RootKey.generate().checkValue())).toBe(false);
    const shown = `${JSON.stringify({ ring })} ${inspect(ring, { showHidden: true, depth: Infinity })}`;
    expect(shown).not.toContain(oldRaw.toString('hex'));
    expect(shown).toContain(oldKey.checkValue());
  });

  it('needs a key', () => {
    expect(() => new RootKeyRing([])).toThrow(/at least one root key/);
  });
});
