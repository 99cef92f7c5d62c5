import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatHex, parseDatakeyBits } from './wire';

/** POST /v1.0/{project_id}/kms/create-datakey */
export function createDatakeyHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['createDatakey'] {
  return async ({ body }, { scope, log, audit }) => {
    const dataKey = await service.createDataKey(scope, {
      keyId: body.key_id,
      datakeyBits: parseDatakeyBits(body.datakey_length),
      keySpec: body.key_spec,
      encryptionContext: body.encryption_context,
      additionalAuthenticatedData: body.additional_authenticated_data,
    });
    audit.keyId = dataKey.keyId;
    try {
      log.debug({ key_id: dataKey.keyId, datakey_length: dataKey.plaintext.length * 8 }, 'data key created');
      return { key_id: dataKey.keyId, plain_text: formatHex(dataKey.plaintext), cipher_text: formatHex(dataKey.ciphertext) };
    } finally {
      dataKey.plaintext.fill(0);
    }
  };
}
