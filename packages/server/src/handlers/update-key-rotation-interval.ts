import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/update-key-rotation-interval: `rotation_interval` is a JSON integer (the schema checked 30 to 365). */
export function updateKeyRotationIntervalHandler(service: KmsService): KeysApiHandlers<RequestContext>['updateKeyRotationInterval'] {
  return async ({ body }, { scope, audit }) => {
    audit.keyId = (await service.updateKeyRotationInterval(scope, body.key_id, body.rotation_interval)).keyId;
    return {};
  };
}
