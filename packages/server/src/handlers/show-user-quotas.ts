import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** GET /v1.0/{project_id}/kms/user-quotas */
export function showUserQuotasHandler(service: KmsService): KeysApiHandlers<RequestContext>['showUserQuotas'] {
  return async (_input, { scope }) => ({
    quotas: { resources: (await service.userQuotas(scope)).map(({ type, used, quota }) => ({ type, used, quota })) },
  });
}
