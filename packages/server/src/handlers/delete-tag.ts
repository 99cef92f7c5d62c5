import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** DELETE /v1.0/{project_id}/kms/{key_id}/tags/{key}: answers 204 (the route table has URI-decoded `key`). */
export function deleteTagHandler(service: KmsService): KeysApiHandlers<RequestContext>['deleteTag'] {
  return async ({ pathParams }, { scope, audit, log }) => {
    await service.tags.deleteKeyTag(scope, pathParams.key_id, pathParams.key);
    audit.keyId = pathParams.key_id;
    log.info({ key_id: pathParams.key_id }, 'key tag deleted');
  };
}
