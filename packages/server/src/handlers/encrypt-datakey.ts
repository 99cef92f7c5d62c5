import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatHex, parseDatakeyBytes, parseHex } from './wire';

/** POST /v1.0/{project_id}/kms/encrypt-datakey */
export function encryptDatakeyHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['encryptDatakey'] {
  return async ({ body }, { scope, log, audit }) => {
    const datakeyBytes = parseDatakeyBytes(body.datakey_plain_length, 'datakey_plain_length');
    const plaintext = parseHex(body.plain_text, 'KMS.2101');
    try {
      const sealed = await service.encryptDataKey(scope, {
        keyId: body.key_id,
        plaintextWithDigest: plaintext,
        datakeyBytes,
        encryptionContext: body.encryption_context,
        additionalAuthenticatedData: body.additional_authenticated_data,
      });
      audit.keyId = sealed.keyId;
      log.debug({ key_id: sealed.keyId, datakey_length: datakeyBytes }, 'data key encrypted');
      return { key_id: sealed.keyId, cipher_text: formatHex(sealed.ciphertext), datakey_length: String(datakeyBytes) };
    } finally {
      plaintext.fill(0);
    }
  };
}
