import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/cancel-key-deletion */
export function cancelKeyDeletionHandler(service: KmsService): KeysApiHandlers<RequestContext>['cancelKeyDeletion'] {
  return async ({ body }, { scope, audit }) => {
    const key = await service.cancelKeyDeletion(scope, body.key_id);
    audit.keyId = key.keyId;
    return { key_id: key.keyId, key_state: key.keyState };
  };
}
