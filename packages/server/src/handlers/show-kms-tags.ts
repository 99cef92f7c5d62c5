import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** GET /v1.0/{project_id}/kms/{key_id}/tags */
export function showKmsTagsHandler(service: KmsService): KeysApiHandlers<RequestContext>['showKmsTags'] {
  return async ({ pathParams }, { scope, audit }) => {
    const tags = await service.tags.showKeyTags(scope, pathParams.key_id);
    audit.keyId = pathParams.key_id;
    return { tags: tags.map((tag) => ({ key: tag.key, value: tag.value })), existTagsNum: tags.length };
  };
}
