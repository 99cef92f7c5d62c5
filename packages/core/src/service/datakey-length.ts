import { KmsError } from '../errors';
import { DATAKEY_KEY_SPEC_BITS } from '../keys/key-spec';

/** Bits of a data key create-datakey makes (the spec's `x-kms-minimum`/`x-kms-maximum` of `datakey_length`). */
export const DATAKEY_MIN_BITS = 8;
export const DATAKEY_MAX_BITS = 8192;
/** Data keys are whole bytes: `datakey_length` is a multiple of this (`x-kms-multiple-of`). */
export const BITS_PER_BYTE = 8;
/** Bytes of a data key, as encrypt-datakey and decrypt-datakey count them (1 to 1024). */
export const DATAKEY_MIN_BYTES = DATAKEY_MIN_BITS / BITS_PER_BYTE;
export const DATAKEY_MAX_BYTES = DATAKEY_MAX_BITS / BITS_PER_BYTE;
/** encrypt-datakey's `plain_text` carries the DEK followed by its SHA-256. */
export const DATAKEY_DIGEST_BYTES = 32;

/** Bytes of a data key of `bits` bits: 8 to 8192 (else KMS.1901), a multiple of 8 (else KMS.1903). */
export function datakeyBytesOfBits(bits: number): number {
  if (!Number.isSafeInteger(bits) || bits < DATAKEY_MIN_BITS || bits > DATAKEY_MAX_BITS) throw new KmsError('KMS.1901');
  if (bits % BITS_PER_BYTE !== 0) throw new KmsError('KMS.1903');
  return bits / BITS_PER_BYTE;
}

/** Whether a count of bytes is a data key length (1 to 1024). */
export function isDatakeyByteLength(bytes: number): boolean {
  return Number.isSafeInteger(bytes) && bytes >= DATAKEY_MIN_BYTES && bytes <= DATAKEY_MAX_BYTES;
}

/** Bits of a data key when neither `datakey_length` nor `key_spec` is given (API reference "Creating a DEK"). */
export const DEFAULT_DATAKEY_BITS = 256;

/**
 * Bits of the data key create-datakey makes, as the API reference says: `datakey_length` when
 * given (it wins over `key_spec`), else `key_spec`'s (AES_256 256, AES_128 128; another spec
 * KMS.0308 naming the supported ones), else DEFAULT_DATAKEY_BITS.
 */
export function datakeyBitsOf(datakeyBits: number | undefined, keySpec: string | undefined): number {
  if (datakeyBits !== undefined) return datakeyBits;
  if (keySpec === undefined) return DEFAULT_DATAKEY_BITS;
  const bits = Object.prototype.hasOwnProperty.call(DATAKEY_KEY_SPEC_BITS, keySpec) ? DATAKEY_KEY_SPEC_BITS[keySpec] : undefined;
  if (bits === undefined) {
    throw new KmsError('KMS.0308', `Unsupported key_spec: use ${Object.keys(DATAKEY_KEY_SPEC_BITS).join(' or ')}, or datakey_length.`);
  }
  return bits;
}
