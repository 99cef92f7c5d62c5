import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/enable-key-rotation: an empty object, as the API reference's example. */
export function enableKeyRotationHandler(service: KmsService): KeysApiHandlers<RequestContext>['enableKeyRotation'] {
  return async ({ body }, { scope, audit }) => {
    audit.keyId = (await service.enableKeyRotation(scope, body.key_id)).keyId;
    return {};
  };
}
