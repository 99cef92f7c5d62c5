import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** POST /v1.0/{project_id}/kms/create-key */
export function createKeyHandler(service: KmsService): KeysApiHandlers<RequestContext>['createKey'] {
  return async ({ body }, { scope, log, audit }) => {
    const key = await service.createKey(scope, {
      keyAlias: body.key_alias,
      keyDescription: body.key_description,
      origin: body.origin,
      enterpriseProjectId: body.enterprise_project_id,
      keySpec: body.key_spec,
      keyUsage: body.key_usage,
      keystoreId: body.keystore_id,
    });
    audit.keyId = key.keyId;
    log.info({ key_id: key.keyId, origin: body.origin ?? 'kms' }, 'key created');
    return { key_info: { key_id: key.keyId, domain_id: key.domainId } };
  };
}
