import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { decodeDataCiphertext, openData, sealData } from './data-ciphertext';
import { decodeDatakeyBlob, encodeDatakeyBlob } from './datakey-blob';
import { openDataKey, sealDataKey } from './datakey-seal';

/** The material version a blob names (formats 3 and `44 02`), and the old formats' reading of it. */

/** `blob` with the 4 bytes after its key ID replaced by `value` and its checksum recomputed: intact, only that field differs. */
function withVersionField(blob: Buffer, value: number, format?: [number, number]): Buffer {
  const copy = Buffer.from(blob);
  if (format) copy.set(format, 0);
  const keyIdEnd = copy.readUInt16LE(2);
  copy.writeUInt32BE(value, keyIdEnd);
  createHash('sha256')
    .update(copy.subarray(0, keyIdEnd + 4))
    .digest()
    .copy(copy, keyIdEnd + 4);
  return copy;
}

describe('material versions in the data key blob', () => {
  const material = randomBytes(32);
  const keyId = randomUUID();

  it('seals version 1 as format 2 (zero bytes after the key ID) and later versions as format 3 naming them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), (version) => {
        const dek = randomBytes(16);
        const blob = sealDataKey({ material, keyId, dek, context: { a: 'b' }, materialVersion: version });
        expect(blob.subarray(0, 2).toString('hex')).toBe(version === 1 ? '0200' : '0300');
        const decoded = decodeDatakeyBlob(blob)!;
        expect(decoded.materialVersion ?? 1).toBe(version);
        expect(openDataKey(material, decoded, { a: 'b' })).toEqual(dek);
      }),
    );
  });

  it('refuses a format-3 blob naming version 0 or 1, and a format-2 blob whose reserved bytes are not zero', () => {
    const blob = sealDataKey({ material, keyId, dek: randomBytes(16), context: {}, materialVersion: 2 });
    expect(decodeDatakeyBlob(withVersionField(blob, 2))).toBeDefined();
    expect(decodeDatakeyBlob(withVersionField(blob, 1))).toBeUndefined();
    expect(decodeDatakeyBlob(withVersionField(blob, 0))).toBeUndefined();
    expect(decodeDatakeyBlob(withVersionField(blob, 2, [0x02, 0x00]))).toBeUndefined();
    expect(decodeDatakeyBlob(withVersionField(blob, 0, [0x04, 0x00]))).toBeUndefined();
  });

  it('binds the version: the same payload relabelled with another version, or as format 2, does not open', () => {
    const blob = sealDataKey({ material, keyId, dek: randomBytes(16), context: {}, materialVersion: 5 });
    for (const relabelled of [withVersionField(blob, 6), withVersionField(blob, 0, [0x02, 0x00])]) {
      const decoded = decodeDatakeyBlob(relabelled)!;
      expect(decoded).toBeDefined();
      expect(openDataKey(material, decoded, {})).toBeUndefined();
    }
  });

  it('refuses to encode a version outside 1 to 2^32 - 1', () => {
    for (const materialVersion of [0, -1, 1.5, 2 ** 32]) {
      expect(() => encodeDatakeyBlob({ keyId, payload: randomBytes(40), materialVersion })).toThrow(/material version/);
    }
  });
});

describe('material versions in the data ciphertext', () => {
  const material = randomBytes(32);
  const keyId = randomUUID();

  it('seals version 1 as 44 01 and later versions as 44 02 naming them; each opens only as sealed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), (version) => {
        const sealed = sealData(material, keyId, Buffer.from('data'), {}, undefined, version);
        expect(sealed.subarray(0, 2).toString('hex')).toBe(version === 1 ? '4401' : '4402');
        const decoded = decodeDataCiphertext(sealed)!;
        expect(decoded.materialVersion ?? 1).toBe(version);
        expect(openData(material, decoded, {})?.toString()).toBe('data');
      }),
    );
  });

  it('refuses 44 02 naming version 0 or 1, and 44 01 with non-zero reserved bytes; a relabelled version does not open', () => {
    const sealed = sealData(material, keyId, Buffer.from('data'), {}, undefined, 3);
    expect(decodeDataCiphertext(withVersionField(sealed, 1))).toBeUndefined();
    expect(decodeDataCiphertext(withVersionField(sealed, 0))).toBeUndefined();
    expect(decodeDataCiphertext(withVersionField(sealed, 3, [0x44, 0x01]))).toBeUndefined();
    const relabelled = decodeDataCiphertext(withVersionField(sealed, 4))!;
    expect(openData(material, relabelled, {})).toBeUndefined();
  });
});
