import { KmsError } from '../errors';

/**
 * An encryption context: string pairs bound to a data key's ciphertext as associated data.
 *
 * Its canonical, length-prefixed encoding: u32 BE pair count, then for each pair sorted by the
 * UTF-8 bytes of its key: u32 BE key length, key bytes, u32 BE value length, value bytes.
 * Length prefixes make the encoding injective: {"ab":"c"} and {"a":"bc"} differ.
 * An absent context and an empty one encode the same (count 0).
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Most characters of a context serialized as JSON (the spec's `x-kms-max-serialized-length`). */
export const ENCRYPTION_CONTEXT_MAX_CHARS = 8192;

/** A UTF-16 surrogate without its pair: such a string has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The context as given, once it is one this encoding can bind: an object of string values, no
 * lone surrogate (two contexts would collapse to one encoding), at most
 * ENCRYPTION_CONTEXT_MAX_CHARS serialized; otherwise KMS.0208. An absent context is the empty one.
 */
export function checkEncryptionContext(context: EncryptionContext | undefined): EncryptionContext {
  if (context === undefined) return {};
  if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new KmsError('KMS.0208');
  for (const [name, value] of Object.entries(context)) {
    if (typeof value !== 'string' || LONE_SURROGATE.test(name) || LONE_SURROGATE.test(value)) {
      throw new KmsError('KMS.0208');
    }
  }
  if (JSON.stringify(context).length > ENCRYPTION_CONTEXT_MAX_CHARS) {
    throw new KmsError('KMS.0208', `Invalid encryption_context: at most ${ENCRYPTION_CONTEXT_MAX_CHARS} characters when serialized.`);
  }
  return context;
}

export function encodeEncryptionContext(context: EncryptionContext | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).map(([key, value]) => {
    if (typeof value !== 'string') throw new TypeError('encryption_context values must be strings');
    return [Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8')] as const;
  });
  pairs.sort(([a], [b]) => Buffer.compare(a, b));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [key, value] of pairs) parts.push(u32(key.length), key, u32(value.length), value);
  return Buffer.concat(parts);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}
