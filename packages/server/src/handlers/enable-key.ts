import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/enable-key */
export function enableKeyHandler(service: KmsService): KeysApiHandlers<RequestContext>['enableKey'] {
  return async ({ body }, { scope, audit }) => {
    const key = await service.enableKey(scope, body.key_id);
    audit.keyId = key.keyId;
    return { key_info: { key_id: key.keyId, key_state: key.keyState } };
  };
}
