import { createHash } from 'node:crypto';
import { KEY_ID_PATTERN } from '../keys/key-id';

/**
 * The self-describing data-key ciphertext, format version 2 (see docs/ciphertext-format.md):
 *
 *   0     2  version            02 00
 *   2     2  key ID end offset  u16 LE = 4 + payload length + 36
 *   4     n  payload            AES-256-GCM nonce(12) ‖ sealed DEK ‖ tag(16)
 *   4+n  36  key ID             ASCII
 *   40+n  4  reserved           00 00 00 00
 *   44+n 32  checksum           SHA-256 of every preceding byte
 *
 * The key ID is readable without any key, and the checksum tells a damaged blob
 * (KMS.2201) apart from a wrong key or context (KMS.2203).
 */
export const DATAKEY_BLOB_VERSION = Buffer.from([0x02, 0x00]);
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
}

export function encodeDatakeyBlob({ keyId, payload }: DatakeyBlob): Buffer {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error('key ID must be a 36-character lower-case UUID');
  if (payload.length < MIN_PAYLOAD_BYTES) throw new Error(`payload must be at least ${MIN_PAYLOAD_BYTES} bytes`);
  const keyIdEnd = HEADER_BYTES + payload.length + KEY_ID_BYTES;
  if (keyIdEnd > 0xffff) throw new Error('payload too large for the blob format');
  const header = Buffer.alloc(HEADER_BYTES);
  DATAKEY_BLOB_VERSION.copy(header, 0);
  header.writeUInt16LE(keyIdEnd, 2);
  const body = Buffer.concat([header, payload, Buffer.from(keyId, 'ascii'), Buffer.alloc(RESERVED_BYTES)]);
  return Buffer.concat([body, sha256(body)]);
}

/** Parses a blob; undefined when it is not a well-formed version-2 blob or its checksum fails. */
export function decodeDatakeyBlob(blob: Buffer): DatakeyBlob | undefined {
  if (blob.length < HEADER_BYTES + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES) return undefined;
  if (!blob.subarray(0, 2).equals(DATAKEY_BLOB_VERSION)) return undefined;
  const keyIdEnd = blob.readUInt16LE(2);
  if (keyIdEnd + RESERVED_BYTES + CHECKSUM_BYTES !== blob.length) return undefined;
  if (keyIdEnd < HEADER_BYTES + MIN_PAYLOAD_BYTES + KEY_ID_BYTES) return undefined;
  const body = blob.subarray(0, keyIdEnd + RESERVED_BYTES);
  if (!sha256(body).equals(blob.subarray(body.length))) return undefined;
  if (blob.subarray(keyIdEnd, keyIdEnd + RESERVED_BYTES).some((byte) => byte !== 0)) return undefined;
  const keyId = blob.subarray(keyIdEnd - KEY_ID_BYTES, keyIdEnd).toString('latin1');
  if (!KEY_ID_PATTERN.test(keyId)) return undefined;
  return { keyId, payload: Buffer.from(blob.subarray(HEADER_BYTES, keyIdEnd - KEY_ID_BYTES)) };
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
