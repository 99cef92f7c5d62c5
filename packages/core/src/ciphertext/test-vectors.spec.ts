import { randomBytes as systemRandom } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openAesGcm, sealAesGcm } from '../crypto/aes-gcm';
import { RootKey } from '../crypto/root-key';
import { KeyState } from '../keys/key-record';
import { KmsService } from '../service/kms-service';
import { MemoryKeyStore } from '../store/memory-key-store';
import { decodeDatakeyBlob, encodeDatakeyBlob } from './datakey-blob';
import { datakeyAad } from './datakey-seal';
import { encodeEncryptionContext } from './encryption-context';

/**
 * The test vectors of docs/ciphertext-format.md, read from the document itself, so that a
 * doc edit or a code change that breaks the format fails here.
 */
const DOC = readFileSync(resolve(__dirname, '../../../../docs/ciphertext-format.md'), 'utf8');

interface Vector {
  readonly cmk_material: string;
  readonly key_id: string;
  readonly datakey_length: string;
  readonly plain_text: string;
  readonly nonce: string;
  readonly encryption_context: Record<string, string>;
  /** Vectors of the current revision's field only; absent means none. */
  readonly additional_authenticated_data?: string;
  /** Format-3 vectors: the CMK material version (2 or more) `cmk_material` is; absent means the first (format 2). */
  readonly material_version?: number;
  readonly encoded_context: string;
  readonly aad: string;
  readonly cipher_text: string;
}

const FIELDS = [
  'cmk_material',
  'key_id',
  'datakey_length',
  'plain_text',
  'nonce',
  'encryption_context',
  'encoded_context',
  'aad',
  'cipher_text',
];
const OPTIONAL_FIELDS = ['additional_authenticated_data', 'material_version'];
const HEX_FIELDS = ['cmk_material', 'plain_text', 'nonce', 'encoded_context', 'aad', 'cipher_text'] as const;

function testVectorSection(markdown: string): string {
  const start = markdown.search(/^## Test vectors$/m);
  if (start < 0) throw new Error('docs/ciphertext-format.md has no "## Test vectors" section');
  const rest = markdown.slice(start + 1);
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

function parseVectors(section: string): Vector[] {
  return [...section.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((match) => JSON.parse(match[1]!) as Vector);
}

const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const HEX = (bytes: Buffer): string => bytes.toString('hex').toUpperCase();

const section = testVectorSection(DOC);
const vectors = parseVectors(section);

describe('docs/ciphertext-format.md test vectors', () => {
  it('has at least a 512-bit vector without context and a 256-bit vector with one', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(2);
    expect(vectors.some((v) => v.datakey_length === '512' && Object.keys(v.encryption_context).length === 0)).toBe(true);
    expect(vectors.some((v) => v.datakey_length === '256' && Object.keys(v.encryption_context).length > 0)).toBe(true);
  });

  it('has a vector with additional authenticated data alone, and one with it and a context', () => {
    const withAad = vectors.filter((v) => (v.additional_authenticated_data ?? '') !== '');
    expect(withAad.some((v) => Object.keys(v.encryption_context).length === 0)).toBe(true);
    expect(withAad.some((v) => Object.keys(v.encryption_context).length > 0)).toBe(true);
  });

  it('has format-3 vectors (rotated material): one with a context, one with additional authenticated data', () => {
    const rotated = vectors.filter((v) => v.material_version !== undefined);
    expect(rotated.some((v) => Object.keys(v.encryption_context).length > 0)).toBe(true);
    expect(rotated.some((v) => (v.additional_authenticated_data ?? '') !== '')).toBe(true);
    for (const v of rotated) expect(v.cipher_text.slice(0, 4)).toBe('0300');
  });

  describe.each(vectors.map((vector, i) => [i + 1, vector] as const))('vector %d', (_n, vector) => {
    it('has every field, hex in upper case and of the right lengths', () => {
      const optional = OPTIONAL_FIELDS.filter((field) => field in vector);
      expect(Object.keys(vector).sort()).toEqual([...FIELDS, ...optional].sort());
      for (const field of HEX_FIELDS)
        expect({ field, value: vector[field] }).toEqual({ field, value: expect.stringMatching(/^([0-9A-F]{2})+$/) });
      expect(hex(vector.cmk_material)).toHaveLength(32);
      expect(hex(vector.nonce)).toHaveLength(12);
      expect(hex(vector.plain_text)).toHaveLength(Number(vector.datakey_length) / 8);
      expect(hex(vector.cipher_text)).toHaveLength(hex(vector.plain_text).length + 104);
    });

    it('recomputes the documented encoded context, AAD and cipher_text from its inputs', () => {
      expect(HEX(encodeEncryptionContext(vector.encryption_context))).toBe(vector.encoded_context);
      // The AAD as the document spells it: label, version, key ID, canonical context, and with
      // additional authenticated data its own label and the string's u32 BE length and UTF-8 bytes.
      const additional = Buffer.from(vector.additional_authenticated_data ?? '', 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(additional.length);
      // Format 3 (rotated material): version 03 00, and the material version (u32 BE) after the key ID.
      const version = Buffer.alloc(4);
      if (vector.material_version !== undefined) version.writeUInt32BE(vector.material_version);
      const documentedAad = Buffer.concat([
        Buffer.from(additional.length === 0 ? 'openkms.datakey\0' : 'openkms.datakey.aad\0', 'ascii'),
        Buffer.from(vector.material_version === undefined ? [0x02, 0x00] : [0x03, 0x00]),
        Buffer.from(vector.key_id, 'ascii'),
        ...(vector.material_version === undefined ? [] : [version]),
        hex(vector.encoded_context),
        ...(additional.length === 0 ? [] : [length, additional]),
      ]);
      expect(HEX(documentedAad)).toBe(vector.aad);
      const aad = datakeyAad(vector.key_id, vector.encryption_context, vector.additional_authenticated_data, vector.material_version);
      expect(HEX(aad)).toBe(vector.aad);

      const payload = sealAesGcm(hex(vector.cmk_material), hex(vector.plain_text), aad, (size) => hex(vector.nonce).subarray(0, size));
      expect(HEX(encodeDatakeyBlob({ keyId: vector.key_id, payload, materialVersion: vector.material_version }))).toBe(vector.cipher_text);
    });

    it('decodes and opens the documented cipher_text back to plain_text', () => {
      const blob = decodeDatakeyBlob(hex(vector.cipher_text));
      expect(blob?.keyId).toBe(vector.key_id);
      expect(blob?.materialVersion).toBe(vector.material_version);
      expect(HEX(blob!.payload.subarray(0, 12))).toBe(vector.nonce);
      const opened = openAesGcm(
        hex(vector.cmk_material),
        blob!.payload,
        datakeyAad(vector.key_id, vector.encryption_context, vector.additional_authenticated_data, vector.material_version),
      );
      expect(opened && HEX(opened)).toBe(vector.plain_text);
    });

    it('is what KmsService produces and accepts for that CMK material, DEK and nonce', async () => {
      const scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };
      const rootKey = RootKey.generate();
      const store = new MemoryKeyStore();
      const owner = { ...scope, keyId: vector.key_id };
      // A rotated vector's material is the key's newest version; earlier versions are other random material.
      const versions = vector.material_version ?? 1;
      const earlier = Array.from({ length: versions - 1 }, () => rootKey.wrap(systemRandom(32), owner));
      const materials = [...earlier, rootKey.wrap(hex(vector.cmk_material), owner)];
      await store.insertKey(
        {
          ...owner,
          keyAlias: 'vector',
          keyDescription: '',
          origin: 'kms',
          keyState: KeyState.Enabled,
          enterpriseProjectId: '0',
          creationDate: 0,
          wrappedMaterial: materials[0]!,
          ...(versions > 1 ? { rotatedMaterials: materials.slice(1) } : {}),
        },
        { maxKeysPerProject: 1 },
      );
      // createDataKey draws the DEK first, then the nonce.
      const draws = [hex(vector.plain_text), hex(vector.nonce)];
      const randomBytes = (size: number): Buffer => {
        const next = draws.shift();
        if (!next || next.length !== size) throw new Error(`unexpected draw of ${size} bytes`);
        return next;
      };
      const service = await KmsService.open({ store, rootKey, region: 'test-1', randomBytes });

      const created = await service.createDataKey(scope, {
        keyId: vector.key_id,
        datakeyBits: Number(vector.datakey_length),
        encryptionContext: vector.encryption_context,
        additionalAuthenticatedData: vector.additional_authenticated_data,
      });
      expect(HEX(created.ciphertext)).toBe(vector.cipher_text);

      const opened = await service.decryptDataKey(scope, {
        ciphertext: hex(vector.cipher_text),
        encryptionContext: vector.encryption_context,
        additionalAuthenticatedData: vector.additional_authenticated_data,
      });
      expect(HEX(opened.plaintext)).toBe(vector.plain_text);
    });

    it('does not open without its additional authenticated data, nor with some when it has none', () => {
      const blob = decodeDatakeyBlob(hex(vector.cipher_text))!;
      const other = vector.additional_authenticated_data ? '' : 'x';
      expect(
        openAesGcm(
          hex(vector.cmk_material),
          blob.payload,
          datakeyAad(vector.key_id, vector.encryption_context, other, vector.material_version),
        ),
      ).toBeUndefined();
    });
  });

  it('breaks vector 1 down into fields that concatenate to its cipher_text', () => {
    const table = section.slice(section.indexOf('field by field'));
    const cells = [...table.matchAll(/^\| \d+ \| [^|]+ \| `([0-9A-F]+)` \|$/gm)].map((match) => match[1]!);
    expect(cells.length).toBe(8);
    expect(cells.join('')).toBe(vectors[0]!.cipher_text);
  });
});
