import { createHash } from 'node:crypto';
import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatHex, parseDatakeyBytes, parseHex } from './wire';

/** POST /v1.0/{project_id}/kms/decrypt-datakey */
export function decryptDatakeyHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['decryptDatakey'] {
  return async ({ body }, { scope, log, audit }) => {
    const opened = await service.decryptDataKey(scope, {
      keyId: body.key_id,
      ciphertext: parseHex(body.cipher_text, 'KMS.2201'),
      datakeyBytes: parseDatakeyBytes(body.datakey_cipher_length, 'datakey_cipher_length'),
      encryptionContext: body.encryption_context,
      additionalAuthenticatedData: body.additional_authenticated_data,
    });
    audit.keyId = opened.keyId;
    try {
      // Never the key itself, nor its digest, in the log.
      log.debug({ key_id: opened.keyId, datakey_length: opened.plaintext.length }, 'data key decrypted');
      return {
        data_key: formatHex(opened.plaintext),
        datakey_length: String(opened.plaintext.length),
        datakey_dgst: formatHex(createHash('sha256').update(opened.plaintext).digest()),
      };
    } finally {
      opened.plaintext.fill(0);
    }
  };
}
