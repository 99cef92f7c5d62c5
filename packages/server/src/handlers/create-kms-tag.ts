import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/{key_id}/tags: answers 204. */
export function createKmsTagHandler(service: KmsService): KeysApiHandlers<RequestContext>['createKmsTag'] {
  return async ({ pathParams, body }, { scope, audit, log }) => {
    await service.tags.addKeyTag(scope, pathParams.key_id, { key: body.tag.key, value: body.tag.value ?? '' });
    audit.keyId = pathParams.key_id;
    log.info({ key_id: pathParams.key_id }, 'key tag added');
  };
}
