import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/get-key-rotation-status: the last rotation time in epoch ms as a string, "" before the first. */
export function showKeyRotationStatusHandler(service: KmsService): KeysApiHandlers<RequestContext>['showKeyRotationStatus'] {
  return async ({ body }, { scope, audit }) => {
    const status = await service.getKeyRotationStatus(scope, body.key_id);
    audit.keyId = status.keyId;
    return {
      key_rotation_enabled: status.rotationEnabled,
      rotation_interval: status.rotationIntervalDays,
      last_rotation_time: status.lastRotationTime === undefined ? '' : String(status.lastRotationTime),
      number_of_rotations: status.numberOfRotations,
    };
  };
}
