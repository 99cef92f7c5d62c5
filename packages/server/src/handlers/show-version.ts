import { KmsError } from '@openkms/core';
import type { VersionsApiHandlers } from '../generated';
import { describeVersionById } from './api-versions';
import type { RequestContext } from './request-context';

/** GET /{version_id}: one API version, without credentials. */
export function showVersionHandler(): VersionsApiHandlers<RequestContext>['showVersion'] {
  return async ({ pathParams }, { origin }) => {
    const version = describeVersionById(pathParams.version_id, origin);
    // The router matches only the spec's versions; should the two ever differ, an unknown version is an unknown path.
    if (!version) throw new KmsError('KMS.0201');
    return { version };
  };
}
