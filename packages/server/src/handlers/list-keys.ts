import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import { toKeyDetails } from './key-details';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/list-keys */
export function listKeysHandler(service: KmsService): KeysApiHandlers<RequestContext>['listKeys'] {
  return async ({ body }, { scope }) => {
    const page = await service.listKeys(scope, { limit: body.limit, marker: body.marker, keyState: body.key_state });
    return {
      keys: page.keys.map((key) => key.keyId),
      key_details: page.keys.map((key) => toKeyDetails(key, service.region)),
      next_marker: page.nextMarker,
      truncated: page.truncated ? 'true' : 'false',
      total: page.total,
    };
  };
}
