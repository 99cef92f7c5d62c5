import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatBase64 } from './wire';

/** POST /v1.0/{project_id}/kms/encrypt-data: `plain_text` sealed under the CMK, answered in base64. */
export function encryptDataHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['encryptData'] {
  return async ({ body }, { scope, log, audit }) => {
    const sealed = await service.encryptData(scope, {
      keyId: body.key_id,
      plaintext: body.plain_text,
      encryptionContext: body.encryption_context,
      encryptionAlgorithm: body.encryption_algorithm,
    });
    audit.keyId = sealed.keyId;
    log.debug({ key_id: sealed.keyId }, 'data encrypted');
    return { key_id: sealed.keyId, cipher_text: formatBase64(sealed.ciphertext) };
  };
}
