import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/rotate-on-demand: answers the key ID. */
export function rotateOnDemandHandler(service: KmsService): KeysApiHandlers<RequestContext>['rotateOnDemand'] {
  return async ({ body }, { scope, audit }) => {
    const status = await service.rotateKeyOnDemand(scope, body.key_id);
    audit.keyId = status.keyId;
    return { key_id: status.keyId };
  };
}
