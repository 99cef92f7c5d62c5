import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatBase64, parseBase64 } from './wire';

/** POST /v1.0/{project_id}/kms/decrypt-data: the data back as text and as base64. */
export function decryptDataHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['decryptData'] {
  return async ({ body }, { scope, log, audit }) => {
    const opened = await service.decryptData(scope, {
      ciphertext: parseBase64(body.cipher_text, 'KMS.2201'),
      keyId: body.key_id,
      encryptionContext: body.encryption_context,
      encryptionAlgorithm: body.encryption_algorithm,
    });
    audit.keyId = opened.keyId;
    try {
      log.debug({ key_id: opened.keyId }, 'data decrypted');
      return { key_id: opened.keyId, plain_text: opened.plaintext.toString('utf8'), plain_text_base64: formatBase64(opened.plaintext) };
    } finally {
      opened.plaintext.fill(0);
    }
  };
}
