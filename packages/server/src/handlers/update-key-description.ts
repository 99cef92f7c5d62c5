import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/update-key-description */
export function updateKeyDescriptionHandler(service: KmsService): KeysApiHandlers<RequestContext>['updateKeyDescription'] {
  return async ({ body }, { scope, log, audit }) => {
    const updated = await service.updateKeyDescription(scope, body.key_id, body.key_description);
    audit.keyId = updated.keyId;
    log.info({ key_id: updated.keyId }, 'key description changed');
    return { key_info: { key_id: updated.keyId, key_description: updated.keyDescription } };
  };
}
