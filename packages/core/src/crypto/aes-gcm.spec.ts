import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AES_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, openAesGcm, sealAesGcm } from './aes-gcm';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const bytes = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.uint8Array({ maxLength: 256, ...constraints }).map((array) => Buffer.from(array));
const key = () => bytes({ minLength: AES_KEY_BYTES, maxLength: AES_KEY_BYTES });
const fixedNonce = (nonce: Buffer) => (size: number) => {
  expect(size).toBe(GCM_NONCE_BYTES);
  return Buffer.from(nonce);
};

function flipBit(data: Buffer, bit: number): Buffer {
  const copy = Buffer.from(data);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

describe('sealAesGcm / openAesGcm', () => {
  it('matches the GCM specification test case 16 (AES-256, 96-bit IV, with AAD)', () => {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16.
    const k = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = hex('cafebabefacedbaddecaf888');
    const p = hex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const a = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const c = '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662';
    const t = '76fc6ece0f4e1768cddf8853bb2d551b';
    const sealed = sealAesGcm(k, p, a, fixedNonce(iv));
    expect(sealed.toString('hex')).toBe(`cafebabefacedbaddecaf888${c}${t}`);
    expect(openAesGcm(k, sealed, a)).toEqual(p);
  });

  it('round-trips any plaintext and AAD, as nonce ‖ ciphertext ‖ tag', () => {
    fc.assert(
      fc.property(key(), bytes(), bytes(), (k, plaintext, aad) => {
        const sealed = sealAesGcm(k, plaintext, aad);
        expect(sealed.length).toBe(GCM_NONCE_BYTES + plaintext.length + GCM_TAG_BYTES);
        expect(openAesGcm(k, sealed, aad)).toEqual(plaintext);
      }),
      { numRuns: 150 },
    );
  });

  it('draws a fresh random nonce for each seal', () => {
    const k = randomBytes(32);
    const plaintext = Buffer.from('same plaintext');
    const nonces = new Set(Array.from({ length: 50 }, () => sealAesGcm(k, plaintext, Buffer.alloc(0)).subarray(0, 12).toString('hex')));
    expect(nonces.size).toBe(50);
  });

  it('uses the injected random source for the nonce and rejects a nonce of the wrong size', () => {
    const nonce = hex('00112233445566778899aabb');
    expect(sealAesGcm(randomBytes(32), Buffer.from('x'), Buffer.alloc(0), fixedNonce(nonce)).subarray(0, 12)).toEqual(nonce);
    expect(() => sealAesGcm(randomBytes(32), Buffer.from('x'), Buffer.alloc(0), () => Buffer.alloc(8))).toThrow(/nonce/);
  });

  it('fails (undefined) under a different AAD', () => {
    fc.assert(
      fc.property(key(), bytes(), bytes(), bytes(), (k, plaintext, aad, otherAad) => {
        fc.pre(!aad.equals(otherAad));
        expect(openAesGcm(k, sealAesGcm(k, plaintext, aad), otherAad)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('fails (undefined) under a different key', () => {
    fc.assert(
      fc.property(key(), key(), bytes(), bytes(), (k, otherKey, plaintext, aad) => {
        fc.pre(!k.equals(otherKey));
        expect(openAesGcm(otherKey, sealAesGcm(k, plaintext, aad), aad)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('fails (undefined) when any single bit of nonce, ciphertext or tag is flipped', () => {
    const k = randomBytes(32);
    const aad = Buffer.from('context');
    const sealed = sealAesGcm(k, randomBytes(40), aad);
    fc.assert(
      fc.property(fc.nat({ max: sealed.length * 8 - 1 }), (bit) => {
        expect(openAesGcm(k, flipBit(sealed, bit), aad)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('fails (undefined) when truncated or extended, including below nonce + tag', () => {
    const k = randomBytes(32);
    const sealed = sealAesGcm(k, randomBytes(16), Buffer.alloc(0));
    for (let length = 0; length < sealed.length; length += 1) {
      expect(openAesGcm(k, sealed.subarray(0, length), Buffer.alloc(0))).toBeUndefined();
    }
    expect(openAesGcm(k, Buffer.concat([sealed, Buffer.alloc(1)]), Buffer.alloc(0))).toBeUndefined();
  });

  it('rejects keys that are not 32 bytes', () => {
    for (const size of [0, 16, 24, 31, 33]) {
      expect(() => sealAesGcm(Buffer.alloc(size), Buffer.alloc(1), Buffer.alloc(0))).toThrow(/32-byte key/);
      expect(() => openAesGcm(Buffer.alloc(size), Buffer.alloc(40), Buffer.alloc(0))).toThrow(/32-byte key/);
    }
  });
});
