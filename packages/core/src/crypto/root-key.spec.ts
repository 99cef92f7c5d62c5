import { createHmac, randomBytes } from 'node:crypto';
import { format, inspect } from 'node:util';
import fc from 'fast-check';
import { sealAesGcm } from './aes-gcm';
import { RootKey, WRAPPED_MATERIAL_FORMAT, wrappingRootKeyId, type KeyMaterialOwner } from './root-key';

const OWNER: KeyMaterialOwner = {
  domainId: 'be34df18ddd7d205c328aa86e086beff',
  projectId: 'b32bfed7f3bfca454eb23da2148ace28',
  keyId: '71da51ed-46f1-4e1e-99fc-6e5ff47ba02b',
};

/** Property: wrapped material with any single bit flipped does not open. */
function expectNoFlippedBitOpens(rootKey: RootKey, wrapped: Buffer): void {
  fc.assert(
    fc.property(fc.nat({ max: wrapped.length * 8 - 1 }), (bit) => {
      const damaged = Buffer.from(wrapped);
      damaged[bit >> 3]! ^= 1 << (bit & 7);
      expect(rootKey.unwrap(damaged, OWNER)).toBeUndefined();
    }),
    { numRuns: 100 },
  );
}

describe('RootKey.fromEncoded', () => {
  const raw = randomBytes(32);
  const reference = RootKey.fromBytes(raw).checkValue();

  it.each([
    ['lower-case hex', raw.toString('hex')],
    ['upper-case hex', raw.toString('hex').toUpperCase()],
    ['hex with a trailing newline (as in the key file)', `${raw.toString('hex')}\n`],
    ['base64', raw.toString('base64')],
    ['base64 surrounded by whitespace', `  ${raw.toString('base64')}\r\n`],
  ])('parses %s to the same key', (_name, encoded) => {
    expect(RootKey.fromEncoded(encoded).checkValue()).toBe(reference);
  });

  it.each([
    ['empty', ''],
    ['63 hex characters', 'a'.repeat(63)],
    ['65 hex characters', 'a'.repeat(65)],
    ['62 hex characters (31 bytes)', randomBytes(31).toString('hex')],
    ['66 hex characters (33 bytes)', randomBytes(33).toString('hex')],
    ['64 characters with a non-hex one', `${'a'.repeat(63)}g`],
    ['base64 of 31 bytes', randomBytes(31).toString('base64')],
    ['base64 of 33 bytes', randomBytes(33).toString('base64')],
    ['base64 without padding', randomBytes(32).toString('base64').slice(0, 43)],
    ['base64url alphabet', `${'-_'.repeat(21)}A=`],
    ['whitespace inside', `${raw.toString('hex').slice(0, 32)} ${raw.toString('hex').slice(32)}`],
    ['garbage', 'not a key at all'],
  ])('rejects %s', (_name, encoded) => {
    expect(() => RootKey.fromEncoded(encoded)).toThrow(/64 hex characters or the base64 encoding of 32 bytes/);
  });

  it('rejects arbitrary strings that are neither form', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const trimmed = text.trim();
        fc.pre(!/^[0-9a-fA-F]{64}$/.test(trimmed) && !/^[A-Za-z0-9+/]{43}=$/.test(trimmed));
        expect(() => RootKey.fromEncoded(text)).toThrow();
      }),
      { numRuns: 150 },
    );
  });

  it('fromBytes rejects anything but 32 bytes', () => {
    for (const size of [0, 16, 31, 33, 64]) expect(() => RootKey.fromBytes(Buffer.alloc(size))).toThrow(/32 bytes/);
  });

  it('fromBytes copies its input, so zeroing the caller buffer does not change the key', () => {
    const bytes = randomBytes(32);
    const rootKey = RootKey.fromBytes(bytes);
    const before = rootKey.checkValue();
    bytes.fill(0);
    expect(rootKey.checkValue()).toBe(before);
    expect(before).not.toBe(RootKey.fromBytes(Buffer.alloc(32)).checkValue());
  });
});

describe('RootKey.checkValue', () => {
  it('is 8 bytes of hex, the same for the same key and different for another', () => {
    const raw = randomBytes(32);
    const value = RootKey.fromBytes(raw).checkValue();
    expect(value).toMatch(/^[0-9a-f]{16}$/);
    expect(RootKey.fromBytes(Buffer.from(raw)).checkValue()).toBe(value);
    expect(RootKey.generate().checkValue()).not.toBe(value);
  });
});

describe('RootKey wrap / unwrap', () => {
  const rootKey = RootKey.generate();

  it('round-trips key material for the same owner', () => {
    const material = randomBytes(32);
    const wrapped = rootKey.wrap(material, OWNER);
    // format byte ‖ root key ID ‖ nonce ‖ sealed material ‖ tag
    expect(wrapped.length).toBe(1 + 8 + 12 + 32 + 16);
    expect(wrapped[0]).toBe(WRAPPED_MATERIAL_FORMAT);
    expect(wrapped.subarray(1, 9).toString('hex')).toBe(rootKey.checkValue());
    expect(wrappingRootKeyId(wrapped)).toBe(rootKey.checkValue());
    expect(wrapped.includes(material)).toBe(false);
    expect(rootKey.unwrap(wrapped, OWNER)).toEqual(material);
    // Only the three owner fields are bound: a full key record works as the owner too.
    expect(rootKey.unwrap(wrapped, { ...OWNER, keyAlias: 'x' } as KeyMaterialOwner)).toEqual(material);
  });

  it.each([
    ['another domain', { ...OWNER, domainId: 'ce34df18ddd7d205c328aa86e086beff' }],
    ['another project', { ...OWNER, projectId: 'c32bfed7f3bfca454eb23da2148ace28' }],
    ['another key ID', { ...OWNER, keyId: '81da51ed-46f1-4e1e-99fc-6e5ff47ba02b' }],
    ['fields shifted between domain and project', { ...OWNER, domainId: `${OWNER.domainId}b`, projectId: OWNER.projectId.slice(1) }],
  ])('fails (undefined) for %s', (_name, owner) => {
    expect(rootKey.unwrap(rootKey.wrap(randomBytes(32), OWNER), owner)).toBeUndefined();
  });

  it('fails (undefined) under another root key', () => {
    expect(RootKey.generate().unwrap(rootKey.wrap(randomBytes(32), OWNER), OWNER)).toBeUndefined();
  });

  it('fails (undefined) for any flipped bit of the wrapped material', () => {
    const wrapped = rootKey.wrap(randomBytes(32), OWNER);
    expectNoFlippedBitOpens(rootKey, wrapped);
  });
});

describe('RootKey wrapped material layout (docs/ciphertext-format.md, "Wrapped key material")', () => {
  it('is 0x01 ‖ check value ‖ nonce ‖ AES-256-GCM(material) ‖ tag, with the header and owner as associated data', () => {
    const raw = randomBytes(32);
    const material = randomBytes(32);
    const nonce = randomBytes(12);
    const checkValue = createHmac('sha256', raw).update('openkms root key check v1').digest().subarray(0, 8);
    const header = Buffer.concat([Buffer.of(0x01), checkValue]);
    const aad = Buffer.concat([
      header,
      Buffer.from(['openkms.cmk-material.v2', OWNER.domainId, OWNER.projectId, OWNER.keyId].join('\0'), 'utf8'),
    ]);
    const expected = Buffer.concat([header, sealAesGcm(raw, material, aad, () => nonce)]);
    expect(RootKey.fromBytes(raw).wrap(material, OWNER, () => nonce)).toEqual(expected);
    expect(RootKey.fromBytes(raw).checkValue()).toBe(checkValue.toString('hex'));
  });
});

describe('RootKey wrap input', () => {
  it('wraps only 32-byte key material (format 0 is told apart by its length)', () => {
    for (const size of [0, 16, 23, 31, 33, 64])
      expect(() => RootKey.generate().wrap(randomBytes(size), OWNER)).toThrow(/32-byte key material/);
  });
});

describe('RootKey format 0 (material wrapped before root key rotation existed)', () => {
  const raw = randomBytes(32);
  const rootKey = RootKey.fromBytes(raw);
  // Format 0 as the first release wrote it: nonce ‖ sealed ‖ tag, no header, its own label.
  const legacyWrap = (material: Buffer, owner: KeyMaterialOwner): Buffer =>
    sealAesGcm(raw, material, Buffer.from(['openkms.cmk-material.v1', owner.domainId, owner.projectId, owner.keyId].join('\0'), 'utf8'));

  it('still opens, and names no root key', () => {
    const material = randomBytes(32);
    const wrapped = legacyWrap(material, OWNER);
    expect(wrapped.length).toBe(60);
    expect(wrappingRootKeyId(wrapped)).toBe('legacy');
    expect(rootKey.unwrap(wrapped, OWNER)).toEqual(material);
  });

  it('fails (undefined) under another root key, another owner, or any flipped bit', () => {
    const wrapped = legacyWrap(randomBytes(32), OWNER);
    expect(RootKey.generate().unwrap(wrapped, OWNER)).toBeUndefined();
    expect(rootKey.unwrap(wrapped, { ...OWNER, keyId: '81da51ed-46f1-4e1e-99fc-6e5ff47ba02b' })).toBeUndefined();
    expectNoFlippedBitOpens(rootKey, wrapped);
  });
});

describe('wrappingRootKeyId', () => {
  it('is undefined for bytes of neither format', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        fc.pre(buffer.length !== 60 && !(buffer.length >= 37 && buffer[0] === WRAPPED_MATERIAL_FORMAT));
        expect(wrappingRootKeyId(buffer)).toBeUndefined();
        expect(RootKey.generate().unwrap(buffer, OWNER)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('RootKey never shows its bytes', () => {
  const raw = randomBytes(32);
  const rootKey = RootKey.fromBytes(raw);
  const secrets = [raw.toString('hex'), raw.toString('hex').toUpperCase(), raw.toString('base64'), raw.toString('base64url')];

  it.each([
    ['JSON.stringify', () => JSON.stringify(rootKey)],
    ['JSON.stringify inside an object', () => JSON.stringify({ config: { rootKey } })],
    ['String()', () => String(rootKey)],
    ['template literal', () => `${rootKey}`],
    ['util.inspect', () => inspect(rootKey)],
    ['util.inspect showHidden, unlimited depth', () => inspect({ rootKey }, { showHidden: true, depth: Infinity })],
    ['util.format %o', () => format('%o', rootKey)],
    ['util.format %j', () => format('%j', { rootKey })],
    ['Object.entries', () => JSON.stringify(Object.entries(rootKey))],
  ])('%s', (_name, render) => {
    const text = render();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('renders as [RootKey]', () => {
    expect(String(rootKey)).toBe('[RootKey]');
    expect(inspect(rootKey)).toBe('[RootKey]');
    expect(JSON.stringify(rootKey)).toBe('"[RootKey]"');
  });
});

describe('RootKey.lowEntropyReason', () => {
  it('names keys that cannot be random: all zero, one repeated byte, short repeated patterns', () => {
    for (const hex of ['00'.repeat(32), 'ff'.repeat(32), 'ab'.repeat(32), '0123456789abcdef'.repeat(4), '00ff'.repeat(16)]) {
      expect([hex, RootKey.fromEncoded(hex).lowEntropyReason()]).toEqual([hex, expect.stringMatching(/distinct value/)]);
    }
    // Property: any key drawing its bytes from fewer than 16 values is refused.
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
        (values, picks) => {
          const bytes = Buffer.from(picks.map((pick) => values[pick % values.length]!));
          expect(RootKey.fromBytes(bytes).lowEntropyReason()).toBeDefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('passes random keys (a random key fails with a chance of 3 in 10^17)', () => {
    for (let n = 0; n < 500; n++) expect(RootKey.generate().lowEntropyReason()).toBeUndefined();
    expect(RootKey.fromEncoded(Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex')).lowEntropyReason()).toBeUndefined();
  });
});
