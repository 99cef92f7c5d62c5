import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { decodeDatakeyBlob } from './datakey-blob';
import { sealDataKey } from './datakey-seal';
import { DATA_PLAINTEXT_MAX_BYTES, dataAad, decodeDataCiphertext, openData, sealData } from './data-ciphertext';
import { encodeEncryptionContext } from './encryption-context';

const DOC = readFileSync(resolve(__dirname, '../../../../docs/ciphertext-format.md'), 'utf8');

interface DataVector {
  readonly cmk_material: string;
  readonly key_id: string;
  readonly plain_text: string;
  readonly plain_text_utf8: string;
  readonly nonce: string;
  readonly encryption_context: Record<string, string>;
  readonly encoded_context: string;
  readonly aad: string;
  readonly cipher_text: string;
  /** Format `44 02` vectors: the material version (2 or more) `cmk_material` is; absent means the first (`44 01`). */
  readonly material_version?: number;
}

function vectors(): DataVector[] {
  const start = DOC.search(/^## Data ciphertext test vectors$/m);
  if (start < 0) throw new Error('docs/ciphertext-format.md has no "## Data ciphertext test vectors" section');
  const rest = DOC.slice(start + 1);
  const next = rest.search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1]!) as DataVector);
}

const hex = (text: string) => Buffer.from(text, 'hex');
const HEX = (bytes: Buffer) => bytes.toString('hex').toUpperCase();

describe('data ciphertext test vectors (docs/ciphertext-format.md)', () => {
  const all = vectors();

  it('has the documented vectors, one of them of format 44 02 (rotated material)', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.some((v) => v.material_version !== undefined && v.cipher_text.startsWith('RAJ'))).toBe(true);
  });

  it.each(all.map((v, i) => [i + 1, v] as const))('vector %i: recomputed independently, byte for byte', (_n, v) => {
    expect(HEX(Buffer.from(v.plain_text, 'utf8'))).toBe(v.plain_text_utf8);
    expect(HEX(encodeEncryptionContext(v.encryption_context))).toBe(v.encoded_context);
    // The AAD and the frame, rebuilt here from the document's description, not from the module.
    // Format 44 02 names the material version (u32 BE) after the key ID, in the AAD and in the frame.
    const version = Buffer.alloc(4);
    if (v.material_version !== undefined) version.writeUInt32BE(v.material_version);
    const format = v.material_version === undefined ? 0x01 : 0x02;
    const aad = Buffer.concat([
      Buffer.from('openkms.data\0', 'ascii'),
      Buffer.from([0x44, format]),
      Buffer.from(v.key_id, 'ascii'),
      ...(v.material_version === undefined ? [] : [version]),
      hex(v.encoded_context),
    ]);
    expect(HEX(aad)).toBe(v.aad);
    expect(HEX(dataAad(v.key_id, v.encryption_context, v.material_version))).toBe(v.aad);
    const cipher = createCipheriv('aes-256-gcm', hex(v.cmk_material), hex(v.nonce), { authTagLength: 16 });
    cipher.setAAD(aad);
    const payload = Buffer.concat([hex(v.nonce), cipher.update(hex(v.plain_text_utf8)), cipher.final(), cipher.getAuthTag()]);
    const header = Buffer.from([0x44, format, 0, 0]);
    header.writeUInt16LE(4 + payload.length + 36, 2);
    const body = Buffer.concat([header, payload, Buffer.from(v.key_id, 'ascii'), version]);
    const expected = Buffer.concat([body, createHash('sha256').update(body).digest()]);
    expect(expected.toString('base64')).toBe(v.cipher_text);
    const sealed = sealData(
      hex(v.cmk_material),
      v.key_id,
      hex(v.plain_text_utf8),
      v.encryption_context,
      () => hex(v.nonce),
      v.material_version,
    );
    expect(sealed.toString('base64')).toBe(v.cipher_text);
  });

  it.each(all.map((v, i) => [i + 1, v] as const))('vector %i: opens to plain_text', (_n, v) => {
    const decoded = decodeDataCiphertext(Buffer.from(v.cipher_text, 'base64'))!;
    expect(decoded.keyId).toBe(v.key_id);
    expect(decoded.materialVersion).toBe(v.material_version);
    expect(openData(hex(v.cmk_material), decoded, v.encryption_context)!.toString('utf8')).toBe(v.plain_text);
  });
});

describe('data ciphertext properties', () => {
  const material = randomBytes(32);
  const keyId = randomUUID();
  const text = fc.string({ unit: 'binary', maxLength: 6 });
  const context = fc.dictionary(text, text, { maxKeys: 3 });
  const data = fc.uint8Array({ minLength: 1, maxLength: DATA_PLAINTEXT_MAX_BYTES }).map((bytes) => Buffer.from(bytes));

  it('round-trips any 1 to 4096 bytes under any context, and opens under no other context', () => {
    fc.assert(
      fc.property(data, context, context, (plain, sealedWith, openedWith) => {
        const blob = sealData(material, keyId, plain, sealedWith);
        expect(blob.length).toBe(plain.length + 104);
        const decoded = decodeDataCiphertext(blob)!;
        expect(decoded.keyId).toBe(keyId);
        expect(openData(material, decoded, sealedWith)!.equals(plain)).toBe(true);
        if (!encodeEncryptionContext(sealedWith).equals(encodeEncryptionContext(openedWith))) {
          expect(openData(material, decoded, openedWith)).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses any single changed byte: the checksum, or (with the checksum recomputed) authentication', () => {
    fc.assert(
      fc.property(data, fc.nat(), fc.integer({ min: 1, max: 255 }), (plain, at, delta) => {
        const blob = sealData(material, keyId, plain, {});
        const index = at % blob.length;
        const damaged = Buffer.from(blob);
        damaged[index] = (damaged[index]! + delta) & 0xff;
        expect(decodeDataCiphertext(damaged)).toBeUndefined();
        // A forger who changes a byte before the checksum and recomputes it still fails (a change to
        // the checksum alone is undone by recomputing it).
        if (index >= blob.length - 32) return;
        const body = damaged.subarray(0, damaged.length - 32);
        const forged = Buffer.concat([body, createHash('sha256').update(body).digest()]);
        const decoded = decodeDataCiphertext(forged);
        if (decoded) expect(openData(material, decoded, {})).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('never mixes with data key blobs: neither format decodes as the other, nor opens under the other AAD', () => {
    const dek = randomBytes(32);
    const datakeyBlob = sealDataKey({ material, keyId, dek, context: {} });
    expect(decodeDataCiphertext(datakeyBlob)).toBeUndefined();
    const dataBlob = sealData(material, keyId, dek, {});
    expect(decodeDatakeyBlob(dataBlob)).toBeUndefined();
    // Same payload, relabelled with the other version and checksum: authentication still fails.
    const relabelled = Buffer.from(datakeyBlob);
    relabelled[0] = 0x44;
    relabelled[1] = 0x01;
    const body = relabelled.subarray(0, relabelled.length - 32);
    const forged = Buffer.concat([body, createHash('sha256').update(body).digest()]);
    expect(openData(material, decodeDataCiphertext(forged)!, {})).toBeUndefined();
  });

  it('refuses a ciphertext sealing more than 4096 bytes or nothing, and refuses to seal them', () => {
    expect(() => sealData(material, keyId, Buffer.alloc(0), {})).toThrow();
    expect(() => sealData(material, keyId, Buffer.alloc(DATA_PLAINTEXT_MAX_BYTES + 1), {})).toThrow();
    expect(sealData(material, keyId, Buffer.alloc(DATA_PLAINTEXT_MAX_BYTES), {})).toHaveLength(4200);
  });
});
