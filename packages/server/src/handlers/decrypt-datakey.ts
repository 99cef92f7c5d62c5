import { createHash } from 'node:crypto';
import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/decrypt-datakey */
export function decryptDatakeyHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['decryptDatakey'] {
  return async ({ body }, { scope, log, audit }) => {
    const opened = await service.decryptDataKey(scope, {
      keyId: body.key_id,
      // The schema allows only hex digits in pairs, so this decodes every character.
      ciphertext: Buffer.from(body.cipher_text, 'hex'),
      datakeyBytes: Number(body.datakey_cipher_length),
      encryptionContext: body.encryption_context,
    });
    audit.keyId = opened.keyId;
    try {
      // Never the key itself, nor its digest, in the log.
      log.debug({ key_id: opened.keyId, datakey_length: opened.plaintext.length }, 'data key decrypted');
      return {
        data_key: opened.plaintext.toString('hex').toUpperCase(),
        datakey_length: String(opened.plaintext.length),
        datakey_dgst: createHash('sha256').update(opened.plaintext).digest('hex').toUpperCase(),
      };
    } finally {
      opened.plaintext.fill(0);
    }
  };
}
