import { encodeListCursor, type KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import { toKeyDetails } from './key-details';
import type { RequestContext } from './request-context';
import { parseKeyState, parseListKeySpec, parseListLimit, parseListMarker } from './wire';

/** POST /v1.0/{project_id}/kms/list-keys */
export function listKeysHandler(service: KmsService): KeysApiHandlers<RequestContext>['listKeys'] {
  return async ({ body }, { scope }) => {
    const page = await service.listKeys(scope, {
      limit: parseListLimit(body.limit),
      keyState: parseKeyState(body.key_state),
      after: parseListMarker(body.marker),
      keySpec: parseListKeySpec(body.key_spec),
      enterpriseProjectId: body.enterprise_project_id,
    });
    return {
      keys: page.keys.map((key) => key.keyId),
      key_details: page.keys.map((key) => toKeyDetails(key, service.region)),
      next_marker: page.next ? encodeListCursor(page.next) : '',
      truncated: page.truncated ? 'true' : 'false',
      total: page.total,
    };
  };
}
