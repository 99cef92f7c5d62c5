import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM with a random 96-bit nonce and a 128-bit tag. */
export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Source of random bytes; injectable so tests can pin nonces for test vectors. */
export type RandomBytes = (size: number) => Buffer;
export const systemRandomBytes: RandomBytes = (size) => randomBytes(size);

/**
 * Seals `plaintext` under `key`, binding `aad`. Associated data is required, not optional:
 * every caller must say what context the ciphertext belongs to.
 * Returns nonce ‖ ciphertext ‖ tag.
 */
export function sealAesGcm(key: Buffer, plaintext: Buffer, aad: Buffer, random: RandomBytes = systemRandomBytes): Buffer {
  assertKey(key);
  const nonce = random(GCM_NONCE_BYTES);
  if (nonce.length !== GCM_NONCE_BYTES) throw new Error('random source returned a nonce of the wrong size');
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens what sealAesGcm produced; returns undefined when authentication fails. */
export function openAesGcm(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  assertKey(key);
  if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) return undefined;
  const nonce = sealed.subarray(0, GCM_NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
  const body = sealed.subarray(GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== AES_KEY_BYTES) throw new Error(`AES-256-GCM needs a ${AES_KEY_BYTES}-byte key`);
}
