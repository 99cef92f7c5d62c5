import type { KmsService } from '@openkms/core';
import type { DataKeysApiHandlers } from '../generated';
import type { RequestContext } from './request-context';
import { formatHex, parseRandomDataBits } from './wire';

/** POST /v1.0/{project_id}/kms/gen-random: `random_data_length` random bits, upper-case hex. No key is used. */
export function genRandomHandler(service: KmsService): DataKeysApiHandlers<RequestContext>['genRandom'] {
  return async ({ body }) => {
    const random = service.generateRandom(parseRandomDataBits(body.random_data_length));
    try {
      return { random_data: formatHex(random) };
    } finally {
      random.fill(0);
    }
  };
}
