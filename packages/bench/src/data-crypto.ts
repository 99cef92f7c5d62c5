import { decodeDataCiphertext, openData, sealData } from '@openkms/core';
import type { BaselineKey } from './datakey-crypto';

/**
 * The crypto of one encrypt-data and one decrypt-data, as the baselines do it: OpenKMS's own
 * data ciphertext format (AES-256-GCM under the CMK, key ID and context in the AAD), answered
 * as the API does (base64 ciphertext; text plaintext). No validation, auth, store or logging.
 */
export interface DataRequest {
  readonly plain_text?: string;
  readonly cipher_text?: string;
  readonly encryption_context?: Record<string, string>;
}

export function encryptData(key: BaselineKey, body: DataRequest) {
  const data = Buffer.from(body.plain_text ?? '', 'utf8');
  const sealed = sealData(key.material, key.keyId, data, body.encryption_context ?? {});
  data.fill(0);
  return { key_id: key.keyId, cipher_text: sealed.toString('base64') };
}

/** Throws when the ciphertext is malformed or does not open (the baseline then answers 400). */
export function decryptData(key: BaselineKey, body: DataRequest) {
  const decoded = decodeDataCiphertext(Buffer.from(body.cipher_text ?? '', 'base64'));
  const data = decoded && openData(key.material, decoded, body.encryption_context ?? {});
  if (!data) throw new Error('the ciphertext does not open');
  const response = { key_id: key.keyId, plain_text: data.toString('utf8'), plain_text_base64: data.toString('base64') };
  data.fill(0);
  return response;
}
