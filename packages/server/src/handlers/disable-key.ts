import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/disable-key */
export function disableKeyHandler(service: KmsService): KeysApiHandlers<RequestContext>['disableKey'] {
  return async ({ body }, { scope, audit }) => {
    const key = await service.disableKey(scope, body.key_id);
    audit.keyId = key.keyId;
    return { key_info: { key_id: key.keyId, key_state: key.keyState } };
  };
}
