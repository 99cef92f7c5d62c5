import { KmsError } from '../errors';
import type { RandomBytes } from '../crypto/aes-gcm';

/**
 * gen-random: "a multiple of 8, in the range 8 to 8192" bits (API reference "Creating a Random
 * Number"), the spec's `x-kms-minimum`, `x-kms-maximum` and `x-kms-multiple-of` of
 * `random_data_length`. The documents name no code for a bad length: KMS.0308 naming the field.
 */
export const RANDOM_DATA_MIN_BITS = 8;
export const RANDOM_DATA_MAX_BITS = 8192;
export const RANDOM_DATA_BITS_MULTIPLE = 8;

/** `bits` random bits as bytes; KMS.0308 unless `bits` is a multiple of 8 from 8 to 8192. */
export function generateRandomData(bits: number, random: RandomBytes): Buffer {
  if (!Number.isSafeInteger(bits) || bits < RANDOM_DATA_MIN_BITS || bits > RANDOM_DATA_MAX_BITS || bits % RANDOM_DATA_BITS_MULTIPLE !== 0) {
    throw new KmsError(
      'KMS.0308',
      `Invalid random_data_length: a multiple of ${RANDOM_DATA_BITS_MULTIPLE} from ${RANDOM_DATA_MIN_BITS} to ${RANDOM_DATA_MAX_BITS}.`,
    );
  }
  return random(bits / RANDOM_DATA_BITS_MULTIPLE);
}
