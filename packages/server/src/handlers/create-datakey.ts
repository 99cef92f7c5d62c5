import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/create-datakey */
export function createDatakeyHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['createDatakey'] {
  return async ({ body }, { scope, log, audit }) => {
    const dataKey = await service.createDataKey(scope, {
      keyId: body.key_id,
      datakeyLength: body.datakey_length,
      encryptionContext: body.encryption_context,
    });
    audit.keyId = dataKey.keyId;
    try {
      log.debug({ key_id: dataKey.keyId, datakey_length: body.datakey_length }, 'data key created');
      // The API's examples are upper-case hex, two characters a byte.
      return {
        key_id: dataKey.keyId,
        plain_text: dataKey.plaintext.toString('hex').toUpperCase(),
        cipher_text: dataKey.ciphertext.toString('hex').toUpperCase(),
      };
    } finally {
      dataKey.plaintext.fill(0);
    }
  };
}
