import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import { toKeyDetails } from './key-details';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/describe-key */
export function describeKeyHandler(service: KmsService): KeysApiHandlers<RequestContext>['describeKey'] {
  return async ({ body }, { scope }) => {
    const key = await service.describeKey(scope, body.key_id);
    return { key_info: toKeyDetails(key, service.region) };
  };
}
