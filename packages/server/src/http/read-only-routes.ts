import { Router, type RequestHandler } from 'express';
import { KmsError } from '@openkms/core';
import { sendKmsError } from './error-mapper';

/**
 * Paths that only serve (the spec, its reference page, metrics): GET and HEAD answer; any
 * other method is 405 KMS.0215 with `Allow`, as for an operation's path. Paths not listed
 * here fall through to the route table (404 KMS.0201).
 */
export function readOnlyRoutes(routes: Readonly<Record<string, RequestHandler>>): Router {
  const router = Router({ caseSensitive: true, strict: true });
  for (const [path, handler] of Object.entries(routes)) {
    router.get(path, handler);
    router.all(path, (req, res) =>
      sendKmsError(res, new KmsError('KMS.0215', `Method ${req.method} is not supported on this path.`), { Allow: 'GET, HEAD' }),
    );
  }
  return router;
}
