import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** GET /v1.0/{project_id}/kms/tags */
export function listKmsTagsHandler(service: KmsService): KeysApiHandlers<RequestContext>['listKmsTags'] {
  return async (_input, { scope }) => ({ tags: await service.tags.listProjectTags(scope) });
}
