import { KmsError } from '../errors';

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
