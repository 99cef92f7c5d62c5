import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import { toKeyDetails } from './key-details';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/describe-key */
export function describeKeyHandler(service: KmsService): KeysApiHandlers<RequestContext>['describeKey'] {
  return async ({ body }, { scope, audit }) => {
    const key = await service.describeKey(scope, body.key_id);
    audit.keyId = key.keyId;
    return { key_info: toKeyDetails(key, service.region) };
  };
}
