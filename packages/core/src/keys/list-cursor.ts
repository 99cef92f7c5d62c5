import { KEY_ID_PATTERN } from './key-id';

/**
 * Where a list-keys page ends: the last key returned, in the list order (creation date, key ID).
 * On the wire it is the opaque `marker`/`next_marker`: base64url of `<creation date>:<key ID>`.
 */
export interface ListCursor {
  /** Epoch milliseconds. */
  readonly creationDate: number;
  readonly keyId: string;
}

/** Most characters in an encoded cursor (the spec's `marker` maxLength). */
export const LIST_CURSOR_MAX_CHARS = 128;

const ENCODED = new RegExp(`^[A-Za-z0-9_-]{1,${LIST_CURSOR_MAX_CHARS}}$`);
const DECODED = new RegExp(`^(0|[1-9][0-9]{0,15}):(${KEY_ID_PATTERN.source.slice(1, -1)})$`);

export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.creationDate}:${cursor.keyId}`, 'latin1').toString('base64url');
}

/** The cursor an encoded marker names; undefined when this service could not have made it. */
export function decodeListCursor(marker: string): ListCursor | undefined {
  const match = ENCODED.test(marker) ? DECODED.exec(Buffer.from(marker, 'base64url').toString('latin1')) : null;
  const creationDate = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(creationDate)) return undefined;
  return { creationDate, keyId: match[2]! };
}
