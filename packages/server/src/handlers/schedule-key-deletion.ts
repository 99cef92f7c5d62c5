import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { parsePendingDays } from './wire';

/** POST /v1.0/{project_id}/kms/schedule-key-deletion */
export function scheduleKeyDeletionHandler(service: KmsService): KeysApiHandlers<RequestContext>['scheduleKeyDeletion'] {
  return async ({ body }, { scope, audit }) => {
    const key = await service.scheduleKeyDeletion(scope, body.key_id, parsePendingDays(body.pending_days));
    audit.keyId = key.keyId;
    return { key_id: key.keyId, key_state: key.keyState };
  };
}
