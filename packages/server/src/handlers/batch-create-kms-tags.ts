import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/{key_id}/tags/action: answers 204. */
export function batchCreateKmsTagsHandler(service: KmsService): KeysApiHandlers<RequestContext>['batchCreateKmsTags'] {
  return async ({ pathParams, body }, { scope, audit, log }) => {
    const tags = body.tags.map((tag) => (tag.value === undefined ? { key: tag.key } : { key: tag.key, value: tag.value }));
    await service.tags.batchKeyTags(scope, pathParams.key_id, body.action, tags);
    audit.keyId = pathParams.key_id;
    log.info({ key_id: pathParams.key_id, action: body.action, tags: tags.length }, 'key tags changed');
  };
}
