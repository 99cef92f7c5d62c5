import type { RequestHandler } from 'express';
import { KmsError } from '@openkms/core';
import { sendKmsError } from './error-mapper';
import { hasUnmetExpectation } from './expectations';

/** `scheme://authority` then the rest of an absolute-form target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/[^/?#]*(.*)$/s;

/**
 * Checks of the request line and head that Node leaves to the app (it is created with
 * `requireHostHeader: false` so this answer carries the KMS body), before routing:
 * - an `Expect` other than `100-continue`: 417 KMS.0308;
 * - an HTTP/1.1 request without `Host` (RFC 9112 §3.2): 400 KMS.0308;
 * - a `#fragment` in the target, which no request-target form allows (RFC 9112 §3.2): 400 KMS.0308;
 * - an absolute-form target (`POST http://host/v1.0/…`), which a server must accept: served as
 *   its path and query, the authority ignored (only http and https; another scheme is 400).
 * Refusals close the connection: after a malformed head, the rest of the stream cannot be trusted.
 */
export const checkRequestHead: RequestHandler = (req, res, next) => {
  const refuse = (status: number, message: string) => sendKmsError(res, new KmsError('KMS.0308', message, status), { Connection: 'close' });
  if (hasUnmetExpectation(req)) return refuse(417, 'The only expectation this server meets is Expect: 100-continue.');
  if (req.httpVersion === '1.1' && req.headers.host === undefined) return refuse(400, 'An HTTP/1.1 request must have a Host header.');
  if (req.url.includes('#')) return refuse(400, 'The request target must not contain a #fragment.');
  const absolute = ABSOLUTE_FORM.exec(req.url);
  if (absolute) {
    if (!/^https?$/i.test(absolute[1]!)) return refuse(400, 'The request target must be a path, or an http or https URL.');
    const rest = absolute[2]!;
    const originForm = rest.startsWith('/') ? rest : `/${rest}`;
    req.url = originForm;
    req.originalUrl = originForm;
  }
  next();
};
