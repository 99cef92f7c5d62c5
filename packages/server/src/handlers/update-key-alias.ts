import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/update-key-alias */
export function updateKeyAliasHandler(service: KmsService): KeysApiHandlers<RequestContext>['updateKeyAlias'] {
  return async ({ body }, { scope, log, audit }) => {
    const updated = await service.updateKeyAlias(scope, body.key_id, body.key_alias);
    audit.keyId = updated.keyId;
    log.info({ key_id: updated.keyId }, 'key alias changed');
    return { key_info: { key_id: updated.keyId, key_alias: updated.keyAlias } };
  };
}
