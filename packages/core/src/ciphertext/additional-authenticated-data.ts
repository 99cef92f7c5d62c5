import { KmsError } from '../errors';

/**
 * `additional_authenticated_data` (create-, encrypt- and decrypt-datakey, current API revision):
 * "non-sensitive extra data for authentication, any string, at most 128 bytes" (API reference
 * "Creating a DEK"). Bound into the data key's ciphertext beside the encryption context; see
 * datakey-seal.ts for its encoding.
 */

/** Most UTF-8 bytes of `additional_authenticated_data` (the spec's `x-kms-max-bytes`). */
export const ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES = 128;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The AAD as given, once it can be bound: a string with a UTF-8 form (no lone surrogate, which
 * would let two strings share one encoding) of at most 128 bytes; otherwise KMS.0308 naming
 * the field. Absent is the empty string: both bind nothing.
 */
export function checkAdditionalAuthenticatedData(aad: string | undefined): string {
  if (aad === undefined) return '';
  if (typeof aad !== 'string' || LONE_SURROGATE.test(aad)) {
    throw new KmsError('KMS.0308', 'Invalid additional_authenticated_data: it must be a string of Unicode text.');
  }
  if (Buffer.byteLength(aad, 'utf8') > ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES) {
    throw new KmsError(
      'KMS.0308',
      `Invalid additional_authenticated_data: at most ${ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES} bytes when encoded as UTF-8.`,
    );
  }
  return aad;
}
