import { KmsError } from '../errors';
import { DATA_PLAINTEXT_MAX_BYTES, DATA_PLAINTEXT_MIN_BYTES } from '../ciphertext/data-ciphertext';

/**
 * The request rules of encrypt-data and decrypt-data that need no key (the key-using part lives
 * in KmsService, on create-datakey's key resolution and state check).
 */

/** `encryption_algorithm`: the API's values are SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_256 and SM2_ENCRYPT; OpenKMS keys are symmetric. */
export const DEFAULT_ENCRYPTION_ALGORITHM = 'SYMMETRIC_DEFAULT';
export const SUPPORTED_ENCRYPTION_ALGORITHMS: readonly string[] = [DEFAULT_ENCRYPTION_ALGORITHM];

/** Absent is SYMMETRIC_DEFAULT; any other value is KMS.0308 naming the field and the supported value. */
export function checkEncryptionAlgorithm(algorithm: string | undefined): void {
  if (algorithm === undefined || algorithm === DEFAULT_ENCRYPTION_ALGORITHM) return;
  throw new KmsError('KMS.0308', `Unsupported encryption_algorithm: OpenKMS keys are symmetric; use ${DEFAULT_ENCRYPTION_ALGORITHM}.`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * encrypt-data's `plain_text` as the bytes it seals: the string's UTF-8 form, 1 to 4096 bytes
 * ("after being converted into a byte array, it is still 1 to 4096 bytes", API reference
 * "Encrypting Data"). A lone UTF-16 surrogate has no UTF-8 form, so decrypt-data could not give
 * the same string back: refused. All failures are KMS.2101 (invalid plain_text).
 */
export function dataPlaintextBytes(text: string): Buffer {
  if (typeof text !== 'string' || LONE_SURROGATE.test(text)) throw new KmsError('KMS.2101', 'Invalid plain_text: it must be Unicode text.');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < DATA_PLAINTEXT_MIN_BYTES || bytes.length > DATA_PLAINTEXT_MAX_BYTES) {
    throw new KmsError('KMS.2101', `Invalid plain_text: ${DATA_PLAINTEXT_MIN_BYTES} to ${DATA_PLAINTEXT_MAX_BYTES} bytes as UTF-8.`);
  }
  return bytes;
}
