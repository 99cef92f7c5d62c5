import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import { toKeyDetails } from './key-details';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/resource_instances/action */
export function listKmsByTagsHandler(service: KmsService): KeysApiHandlers<RequestContext>['listKmsByTags'] {
  return async ({ body }, { scope }) => {
    const found = await service.tags.findKeysByTags(scope, {
      action: body.action,
      // The spec's patterns make both decimal strings; the core checks the range.
      ...(body.limit !== undefined && { limit: Number(body.limit) }),
      ...(body.offset !== undefined && { offset: Number(body.offset) }),
      filter: {
        tags: (body.tags ?? []).map((tag) => ({ key: tag.key, values: tag.values ?? [] })),
        ...(body.matches?.[0] && { resourceNameContains: body.matches[0].value }),
      },
    });
    return {
      resources: found.resources.map(({ key, tags }) => ({
        resource_id: key.keyId,
        resource_detail: toKeyDetails(key, service.region),
        resource_name: key.keyAlias,
        tags: tags.map((tag) => ({ key: tag.key, value: tag.value })),
      })),
      total_count: found.totalCount,
    };
  };
}
