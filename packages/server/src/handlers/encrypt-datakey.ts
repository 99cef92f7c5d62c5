import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/encrypt-datakey */
export function encryptDatakeyHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['encryptDatakey'] {
  return async ({ body }, { scope, log, audit }) => {
    // The schema allows only hex digits in pairs, so this decodes every character.
    const plaintext = Buffer.from(body.plain_text, 'hex');
    try {
      const sealed = await service.encryptDataKey(scope, {
        keyId: body.key_id,
        plaintextWithDigest: plaintext,
        datakeyBytes: Number(body.datakey_plain_length),
        encryptionContext: body.encryption_context,
      });
      audit.keyId = sealed.keyId;
      log.debug({ key_id: sealed.keyId, datakey_length: body.datakey_plain_length }, 'data key encrypted');
      return {
        key_id: sealed.keyId,
        cipher_text: sealed.ciphertext.toString('hex').toUpperCase(),
        datakey_length: body.datakey_plain_length,
      };
    } finally {
      plaintext.fill(0);
    }
  };
}
