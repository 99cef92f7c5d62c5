import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/disable-key-rotation: an empty object, as the API reference's example. */
export function disableKeyRotationHandler(service: KmsService): KeysApiHandlers<RequestContext>['disableKeyRotation'] {
  return async ({ body }, { scope, audit }) => {
    audit.keyId = (await service.disableKeyRotation(scope, body.key_id)).keyId;
    return {};
  };
}
