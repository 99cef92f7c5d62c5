import { createHash } from 'node:crypto';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, openAesGcm, sealAesGcm, systemRandomBytes, type RandomBytes } from '../crypto/aes-gcm';
import { KEY_ID_PATTERN } from '../keys/key-id';
import { FIRST_MATERIAL_VERSION, materialVersionField, readMaterialVersion } from './datakey-blob';
import { encodeEncryptionContext, type EncryptionContext } from './encryption-context';

/**
 * The ciphertext of encrypt-data (docs/ciphertext-format.md, "Data ciphertext"): the data-key
 * blob's outer layout under its own version bytes, `44 01` ("D", format 1), and its own AAD label,
 * so a data ciphertext never opens as a data key nor a data key as data:
 *
 *   0     2  version            44 01
 *   2     2  key ID end offset  u16 LE = 4 + payload length + 36
 *   4     n  payload            AES-256-GCM nonce(12) ‖ sealed data ‖ tag(16)
 *   4+n  36  key ID             ASCII
 *   40+n  4  reserved           00 00 00 00
 *   44+n 32  checksum           SHA-256 of every preceding byte
 *
 * AAD = "openkms.data" 00 ‖ 44 01 ‖ key ID ‖ canonical encryption context. The API sends it
 * base64-encoded (API reference "Encrypting Data": "Ciphertext data in Base64 format").
 *
 * Data sealed under a rotated material version (2 or more) is format `44 02`: the same layout
 * with the version as u32 BE in place of the reserved bytes, and in the AAD right after the key
 * ID. Data under a key's first material stays `44 01`, byte for byte as before rotation existed.
 */
export const DATA_CIPHERTEXT_VERSION = Buffer.from([0x44, 0x01]);
export const DATA_CIPHERTEXT_VERSION_ROTATED = Buffer.from([0x44, 0x02]);
const DATA_AAD_LABEL = Buffer.from('openkms.data\0', 'ascii');
const KEY_ID_BYTES = 36;
const HEADER_BYTES = 4;
const RESERVED_BYTES = 4;
const CHECKSUM_BYTES = 32;

/** Most bytes encrypt-data seals ("1 to 4096 bytes", API reference "Encrypting Data"), the spec's `x-kms-max-bytes`. */
export const DATA_PLAINTEXT_MAX_BYTES = 4096;
export const DATA_PLAINTEXT_MIN_BYTES = 1;
/** Bytes a data ciphertext adds to its plaintext: header, nonce, tag, key ID, reserved bytes and checksum. */
export const DATA_CIPHERTEXT_OVERHEAD_BYTES =
  HEADER_BYTES + GCM_NONCE_BYTES + GCM_TAG_BYTES + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES;
const MIN_PAYLOAD_BYTES = GCM_NONCE_BYTES + DATA_PLAINTEXT_MIN_BYTES + GCM_TAG_BYTES;
const MAX_PAYLOAD_BYTES = GCM_NONCE_BYTES + DATA_PLAINTEXT_MAX_BYTES + GCM_TAG_BYTES;

export interface DataCiphertext {
  readonly keyId: string;
  /** nonce ‖ sealed data ‖ tag */
  readonly payload: Buffer;
  /** Which of the key's material versions sealed it (1, the first, when absent). */
  readonly materialVersion?: number;
}

function formatOf(materialVersion: number): Buffer {
  return materialVersion === FIRST_MATERIAL_VERSION ? DATA_CIPHERTEXT_VERSION : DATA_CIPHERTEXT_VERSION_ROTATED;
}

/** The associated data of a data ciphertext: label ‖ version ‖ key ID ‖ (rotated material: u32 BE version) ‖ canonical context. */
export function dataAad(keyId: string, context: EncryptionContext, materialVersion: number = FIRST_MATERIAL_VERSION): Buffer {
  const version = materialVersion === FIRST_MATERIAL_VERSION ? [] : [materialVersionField(materialVersion)];
  return Buffer.concat([
    DATA_AAD_LABEL,
    formatOf(materialVersion),
    Buffer.from(keyId, 'ascii'),
    ...version,
    encodeEncryptionContext(context),
  ]);
}

/** Seals 1 to 4096 bytes under a CMK's material, bound to its key ID and a checked context. */
export function sealData(
  material: Buffer,
  keyId: string,
  data: Buffer,
  context: EncryptionContext,
  random: RandomBytes = systemRandomBytes,
  materialVersion: number = FIRST_MATERIAL_VERSION,
): Buffer {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error('key ID must be a 36-character lower-case UUID');
  if (data.length < DATA_PLAINTEXT_MIN_BYTES || data.length > DATA_PLAINTEXT_MAX_BYTES) throw new Error('data must be 1 to 4096 bytes');
  if (!Number.isInteger(materialVersion) || materialVersion < FIRST_MATERIAL_VERSION || materialVersion > 0xffffffff) {
    throw new Error('material version must be an integer from 1 to 2^32 - 1');
  }
  const payload = sealAesGcm(material, data, dataAad(keyId, context, materialVersion), random);
  const header = Buffer.alloc(HEADER_BYTES);
  formatOf(materialVersion).copy(header, 0);
  header.writeUInt16LE(HEADER_BYTES + payload.length + KEY_ID_BYTES, 2);
  const body = Buffer.concat([header, payload, Buffer.from(keyId, 'ascii'), materialVersionField(materialVersion)]);
  return Buffer.concat([body, sha256(body)]);
}

/** Parses a data ciphertext; undefined unless it is well formed, of this version, and its checksum holds. */
export function decodeDataCiphertext(blob: Buffer): DataCiphertext | undefined {
  if (blob.length < HEADER_BYTES + MIN_PAYLOAD_BYTES + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES) return undefined;
  const rotated = blob.subarray(0, 2).equals(DATA_CIPHERTEXT_VERSION_ROTATED);
  if (!rotated && !blob.subarray(0, 2).equals(DATA_CIPHERTEXT_VERSION)) return undefined;
  const keyIdEnd = blob.readUInt16LE(2);
  if (keyIdEnd + RESERVED_BYTES + CHECKSUM_BYTES !== blob.length) return undefined;
  const payloadBytes = keyIdEnd - HEADER_BYTES - KEY_ID_BYTES;
  if (payloadBytes < MIN_PAYLOAD_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) return undefined;
  const body = blob.subarray(0, keyIdEnd + RESERVED_BYTES);
  if (!sha256(body).equals(blob.subarray(body.length))) return undefined;
  const materialVersion = readMaterialVersion(blob.subarray(keyIdEnd, keyIdEnd + RESERVED_BYTES), rotated);
  if (materialVersion === undefined) return undefined;
  const keyId = blob.subarray(keyIdEnd - KEY_ID_BYTES, keyIdEnd).toString('latin1');
  if (!KEY_ID_PATTERN.test(keyId)) return undefined;
  const payload = Buffer.from(blob.subarray(HEADER_BYTES, keyIdEnd - KEY_ID_BYTES));
  // A `44 01` ciphertext reads back exactly as before rotation existed (materialVersion absent: 1).
  return rotated ? { keyId, payload, materialVersion } : { keyId, payload };
}

/** The data of a decoded ciphertext; undefined when the material or the context is not the one it was sealed with. */
export function openData(material: Buffer, ciphertext: DataCiphertext, context: EncryptionContext): Buffer | undefined {
  return openAesGcm(material, ciphertext.payload, dataAad(ciphertext.keyId, context, ciphertext.materialVersion));
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
