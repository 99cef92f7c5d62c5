import {
  KmsError,
  decodeListCursor,
  isKeyState,
  isListKeysKeySpec,
  type KeyState,
  type ListCursor,
  type ListKeysKeySpec,
} from '@openkms/core';

/**
 * The wire forms of the API's values, both ways: the decimal strings, enums, hex and markers
 * the spec sends become the numbers, KeyState values, buffers and cursors core takes, with the
 * KMS error code the spec names for each field. Ranges and rules stay in core. The request
 * validator checks the same patterns first; these parse on their own all the same.
 */

/** The spec's pattern for every decimal length and limit field: no sign, no leading zero, at most four digits. */
export const DECIMAL_PATTERN = /^[1-9][0-9]{0,3}$/;
const HEX_PAIRS = /^(?:[0-9A-Fa-f]{2})*$/;

function decimal(text: string, error: () => KmsError): number {
  if (!DECIMAL_PATTERN.test(text)) throw error();
  return Number(text);
}

/** create-datakey's `datakey_length`, in bits (KMS.1901 when not a decimal string); absent stays absent (core picks the length). */
export function parseDatakeyBits(text: string | undefined): number | undefined {
  return text === undefined ? undefined : decimal(text, () => new KmsError('KMS.1901'));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Canonical padded base64 (decrypt-data's `cipher_text`) as bytes; anything else is `code`. */
export function parseBase64(text: string, code: 'KMS.2201'): Buffer {
  if (text.length === 0 || !BASE64.test(text)) throw new KmsError(code);
  const bytes = Buffer.from(text, 'base64');
  // Non-zero padding bits decode leniently; only the canonical form is accepted.
  if (bytes.toString('base64') !== text) throw new KmsError(code);
  return bytes;
}

/** Bytes as padded base64 (encrypt-data's `cipher_text`, decrypt-data's `plain_text_base64`). */
export function formatBase64(bytes: Buffer): string {
  return bytes.toString('base64');
}

/** gen-random's `random_data_length`, in bits (KMS.0308 when not a decimal string; core checks the range). */
export function parseRandomDataBits(text: string): number {
  return decimal(text, () => new KmsError('KMS.0308', 'Invalid random_data_length: a multiple of 8 from 8 to 8192.'));
}

/** A DEK length in bytes, as `datakey_plain_length` and `datakey_cipher_length` send it (KMS.0308). */
export function parseDatakeyBytes(text: string, field: 'datakey_plain_length' | 'datakey_cipher_length'): number {
  return decimal(text, () => invalidParameter(field));
}

/** list-keys' `limit` (KMS.0308); absent stays absent, for core's default. */
export function parseListLimit(text: string | undefined): number | undefined {
  return text === undefined ? undefined : decimal(text, () => invalidParameter('limit'));
}

/** schedule-key-deletion's `pending_days` (KMS.0308 when not a decimal string; core checks 7 to 1096). */
export function parsePendingDays(text: string): number {
  return decimal(text, () => invalidParameter('pending_days'));
}

/** list-keys' `key_state`, "1" to "5" (KMS.0308). */
export function parseKeyState(text: string | undefined): KeyState | undefined {
  if (text === undefined) return undefined;
  if (!isKeyState(text)) throw invalidParameter('key_state');
  return text;
}

/** list-keys' `key_spec` filter: a documented spec or ALL (KMS.0308). */
export function parseListKeySpec(text: string | undefined): ListKeysKeySpec | undefined {
  if (text === undefined) return undefined;
  if (!isListKeysKeySpec(text)) throw invalidParameter('key_spec');
  return text;
}

/** list-keys' `marker`: empty or absent for the first page, else a cursor this server made (KMS.0308). */
export function parseListMarker(text: string | undefined): ListCursor | undefined {
  if (text === undefined || text === '') return undefined;
  const cursor = decodeListCursor(text);
  if (!cursor) throw invalidParameter('marker');
  return cursor;
}

/** Bytes from hex, two characters a byte, either case; anything else is `code` (the field's KMS code). */
export function parseHex(text: string, code: 'KMS.2101' | 'KMS.2201'): Buffer {
  if (!HEX_PAIRS.test(text)) throw new KmsError(code);
  return Buffer.from(text, 'hex');
}

/** Bytes as the API answers them: upper-case hex, two characters a byte (the spec's examples). */
export function formatHex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}

function invalidParameter(field: string): KmsError {
  return new KmsError('KMS.0308', `Invalid parameter: ${field}.`);
}
