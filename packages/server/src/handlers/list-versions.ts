import type { VersionsApiHandlers } from '../generated';
import { describeVersions } from './api-versions';
import type { RequestContext } from './request-context';

/** GET /: the API versions, without credentials. */
export function listVersionsHandler(): VersionsApiHandlers<RequestContext>['listVersions'] {
  return async (_input, { origin }) => ({ versions: describeVersions(origin) });
}
