import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { datakeyAad, encodeDatakeyBlob } from '@openkms/core';

/**
 * The crypto of one create-datakey, as the baselines do it: a random DEK, sealed with
 * AES-256-GCM under a CMK with the same associated data and blob format as OpenKMS, both
 * answered as upper-case hex. No validation, auth, store or logging: that is what the
 * baselines leave out on purpose.
 */
export interface BaselineKey {
  readonly keyId: string;
  readonly material: Buffer;
}

export function baselineKey(): BaselineKey {
  return { keyId: randomUUID(), material: randomBytes(32) };
}

export function makeDataKey(key: BaselineKey, datakeyLength: string, context: Record<string, string> | undefined) {
  const dek = randomBytes(Number(datakeyLength) / 8);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.material, nonce);
  cipher.setAAD(datakeyAad(key.keyId, context ?? {}));
  const sealed = Buffer.concat([nonce, cipher.update(dek), cipher.final(), cipher.getAuthTag()]);
  const response = {
    key_id: key.keyId,
    plain_text: dek.toString('hex').toUpperCase(),
    cipher_text: encodeDatakeyBlob({ keyId: key.keyId, payload: sealed }).toString('hex').toUpperCase(),
  };
  dek.fill(0);
  return response;
}
