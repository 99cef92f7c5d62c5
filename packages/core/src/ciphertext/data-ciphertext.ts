import { createHash } from 'node:crypto';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, openAesGcm, sealAesGcm, systemRandomBytes, type RandomBytes } from '../crypto/aes-gcm';
import { KEY_ID_PATTERN } from '../keys/key-id';
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
 */
export const DATA_CIPHERTEXT_VERSION = Buffer.from([0x44, 0x01]);
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
}

/** The associated data of a data ciphertext: label ‖ version ‖ key ID ‖ canonical context. */
export function dataAad(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([DATA_AAD_LABEL, DATA_CIPHERTEXT_VERSION, Buffer.from(keyId, 'ascii'), encodeEncryptionContext(context)]);
}

/** Seals 1 to 4096 bytes under a CMK's material, bound to its key ID and a checked context. */
export function sealData(
  material: Buffer,
  keyId: string,
  data: Buffer,
  context: EncryptionContext,
  random: RandomBytes = systemRandomBytes,
): Buffer {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error('key ID must be a 36-character lower-case UUID');
  if (data.length < DATA_PLAINTEXT_MIN_BYTES || data.length > DATA_PLAINTEXT_MAX_BYTES) throw new Error('data must be 1 to 4096 bytes');
  const payload = sealAesGcm(material, data, dataAad(keyId, context), random);
  const header = Buffer.alloc(HEADER_BYTES);
  DATA_CIPHERTEXT_VERSION.copy(header, 0);
  header.writeUInt16LE(HEADER_BYTES + payload.length + KEY_ID_BYTES, 2);
  const body = Buffer.concat([header, payload, Buffer.from(keyId, 'ascii'), Buffer.alloc(RESERVED_BYTES)]);
  return Buffer.concat([body, sha256(body)]);
}

/** Parses a data ciphertext; undefined unless it is well formed, of this version, and its checksum holds. */
export function decodeDataCiphertext(blob: Buffer): DataCiphertext | undefined {
  if (blob.length < HEADER_BYTES + MIN_PAYLOAD_BYTES + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES) return undefined;
  if (!blob.subarray(0, 2).equals(DATA_CIPHERTEXT_VERSION)) return undefined;
  const keyIdEnd = blob.readUInt16LE(2);
  if (keyIdEnd + RESERVED_BYTES + CHECKSUM_BYTES !== blob.length) return undefined;
  const payloadBytes = keyIdEnd - HEADER_BYTES - KEY_ID_BYTES;
  if (payloadBytes < MIN_PAYLOAD_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) return undefined;
  const body = blob.subarray(0, keyIdEnd + RESERVED_BYTES);
  if (!sha256(body).equals(blob.subarray(body.length))) return undefined;
  if (blob.subarray(keyIdEnd, keyIdEnd + RESERVED_BYTES).some((byte) => byte !== 0)) return undefined;
  const keyId = blob.subarray(keyIdEnd - KEY_ID_BYTES, keyIdEnd).toString('latin1');
  if (!KEY_ID_PATTERN.test(keyId)) return undefined;
  return { keyId, payload: Buffer.from(blob.subarray(HEADER_BYTES, keyIdEnd - KEY_ID_BYTES)) };
}

/** The data of a decoded ciphertext; undefined when the material or the context is not the one it was sealed with. */
export function openData(material: Buffer, ciphertext: DataCiphertext, context: EncryptionContext): Buffer | undefined {
  return openAesGcm(material, ciphertext.payload, dataAad(ciphertext.keyId, context));
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
