import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatHex, parseDatakeyBits } from './wire';

/** POST /v1.0/{project_id}/kms/create-datakey-without-plaintext: create-datakey's body, only the sealed DEK back. */
export function createDatakeyWithoutPlaintextHandler(
  service: KmsService,
): DataKeysApiHandlers<RequestContext>['createDatakeyWithoutPlaintext'] {
  return async ({ body }, { scope, log, audit }) => {
    const dataKey = await service.createDataKeyWithoutPlaintext(scope, {
      keyId: body.key_id,
      datakeyBits: parseDatakeyBits(body.datakey_length),
      keySpec: body.key_spec,
      encryptionContext: body.encryption_context,
      additionalAuthenticatedData: body.additional_authenticated_data,
    });
    audit.keyId = dataKey.keyId;
    log.debug({ key_id: dataKey.keyId }, 'data key created without plaintext');
    return { key_id: dataKey.keyId, cipher_text: formatHex(dataKey.ciphertext) };
  };
}
