import type { KmsService } from '@openkms/core';
import type { KeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';

/** GET /v1.0/{project_id}/kms/user-instances */
export function showUserInstancesHandler(service: KmsService): KeysApiHandlers<RequestContext>['showUserInstances'] {
  return async (_input, { scope }) => ({ instance_num: await service.userInstances(scope) });
}
