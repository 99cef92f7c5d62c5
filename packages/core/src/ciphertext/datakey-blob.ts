import { createHash } from 'node:crypto';
import { KEY_ID_PATTERN } from '../keys/key-id';

/**
 * The self-describing data-key ciphertext (see docs/ciphertext-format.md), format 2 or 3:
 *
 *   0     2  version            02 00 | 03 00
 *   2     2  key ID end offset  u16 LE = 4 + payload length + 36
 *   4     n  payload            AES-256-GCM nonce(12) ‖ sealed DEK ‖ tag(16)
 *   4+n  36  key ID             ASCII
 *   40+n  4  material version   format 2: 00 00 00 00 (version 1); format 3: u32 BE, 2 or more
 *   44+n 32  checksum           SHA-256 of every preceding byte
 *
 * A key's first material (version 1) seals format 2, byte for byte what every blob before key
 * rotation was; each rotation's material (version 2, 3, …) seals format 3, which names it. The
 * key ID is readable without any key, and the checksum tells a damaged blob (KMS.2201) apart
 * from a wrong key or context (KMS.2203).
 */
export const DATAKEY_BLOB_VERSION = Buffer.from([0x02, 0x00]);
/** The format of blobs sealed under a rotated material version (2 or more). */
export const DATAKEY_BLOB_VERSION_ROTATED = Buffer.from([0x03, 0x00]);
/** The material version a format-2 blob implies: a key's first. */
export const FIRST_MATERIAL_VERSION = 1;
/** The most material versions a key may have: the u32 of format 3. */
export const MAX_MATERIAL_VERSION = 0xffffffff;
export const KEY_ID_BYTES = 36;
const HEADER_BYTES = 4;
const RESERVED_BYTES = 4;
const CHECKSUM_BYTES = 32;
/** nonce(12) + at least one sealed byte + tag(16): anything shorter cannot be a data key. */
const MIN_PAYLOAD_BYTES = 12 + 1 + 16;
/** Bytes a blob adds to its DEK: header, nonce, tag, key ID, reserved bytes and checksum. */
export const DATAKEY_BLOB_OVERHEAD_BYTES = HEADER_BYTES + 12 + 16 + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES;

export interface DatakeyBlob {
  readonly keyId: string;
  /** nonce ‖ sealed DEK ‖ tag */
  readonly payload: Buffer;
  /** Which of the key's material versions sealed it (1, the first, when absent). */
  readonly materialVersion?: number;
}

/** The version bytes a blob of `materialVersion` carries: format 2 for the first material, 3 for any later one. */
export function datakeyBlobVersion(materialVersion: number = FIRST_MATERIAL_VERSION): Buffer {
  return materialVersion === FIRST_MATERIAL_VERSION ? DATAKEY_BLOB_VERSION : DATAKEY_BLOB_VERSION_ROTATED;
}

export function encodeDatakeyBlob({ keyId, payload, materialVersion = FIRST_MATERIAL_VERSION }: DatakeyBlob): Buffer {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error('key ID must be a 36-character lower-case UUID');
  if (payload.length < MIN_PAYLOAD_BYTES) throw new Error(`payload must be at least ${MIN_PAYLOAD_BYTES} bytes`);
  if (!isMaterialVersion(materialVersion)) throw new Error(`material version must be an integer from 1 to ${MAX_MATERIAL_VERSION}`);
  const keyIdEnd = HEADER_BYTES + payload.length + KEY_ID_BYTES;
  if (keyIdEnd > 0xffff) throw new Error('payload too large for the blob format');
  const header = Buffer.alloc(HEADER_BYTES);
  datakeyBlobVersion(materialVersion).copy(header, 0);
  header.writeUInt16LE(keyIdEnd, 2);
  const body = Buffer.concat([header, payload, Buffer.from(keyId, 'ascii'), materialVersionField(materialVersion)]);
  return Buffer.concat([body, sha256(body)]);
}

/** Parses a blob; undefined when it is not a well-formed format-2 or format-3 blob or its checksum fails. */
export function decodeDatakeyBlob(blob: Buffer): DatakeyBlob | undefined {
  if (blob.length < HEADER_BYTES + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES) return undefined;
  const rotated = blob.subarray(0, 2).equals(DATAKEY_BLOB_VERSION_ROTATED);
  if (!rotated && !blob.subarray(0, 2).equals(DATAKEY_BLOB_VERSION)) return undefined;
  const keyIdEnd = blob.readUInt16LE(2);
  if (keyIdEnd + RESERVED_BYTES + CHECKSUM_BYTES !== blob.length) return undefined;
  if (keyIdEnd < HEADER_BYTES + MIN_PAYLOAD_BYTES + KEY_ID_BYTES) return undefined;
  const body = blob.subarray(0, keyIdEnd + RESERVED_BYTES);
  if (!sha256(body).equals(blob.subarray(body.length))) return undefined;
  const materialVersion = readMaterialVersion(blob.subarray(keyIdEnd, keyIdEnd + RESERVED_BYTES), rotated);
  if (materialVersion === undefined) return undefined;
  const keyId = blob.subarray(keyIdEnd - KEY_ID_BYTES, keyIdEnd).toString('latin1');
  if (!KEY_ID_PATTERN.test(keyId)) return undefined;
  const payload = Buffer.from(blob.subarray(HEADER_BYTES, keyIdEnd - KEY_ID_BYTES));
  // A format-2 blob reads back exactly as before rotation existed (materialVersion absent: 1).
  return rotated ? { keyId, payload, materialVersion } : { keyId, payload };
}

export function isMaterialVersion(value: number): boolean {
  return Number.isInteger(value) && value >= FIRST_MATERIAL_VERSION && value <= MAX_MATERIAL_VERSION;
}

/**
 * The 4 bytes after the key ID: zero for the first material (format 2's reserved bytes),
 * the version as u32 BE for a rotated one. Shared with the data ciphertext's formats.
 */
export function materialVersionField(materialVersion: number): Buffer {
  const field = Buffer.alloc(RESERVED_BYTES);
  if (materialVersion !== FIRST_MATERIAL_VERSION) field.writeUInt32BE(materialVersion);
  return field;
}

/**
 * The material version those 4 bytes name in a blob of the old (`rotated` false) or new format;
 * undefined when they are not canonical: non-zero in the old format, below 2 in the new one
 * (a first-material blob is always format 2, so each (key, version, payload) has one encoding).
 */
export function readMaterialVersion(field: Buffer, rotated: boolean): number | undefined {
  const value = field.readUInt32BE(0);
  if (!rotated) return value === 0 ? FIRST_MATERIAL_VERSION : undefined;
  return value > FIRST_MATERIAL_VERSION ? value : undefined;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
