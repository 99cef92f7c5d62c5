import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import getRawBody from 'raw-body';
import { KmsError } from '@openkms/core';
import { ClientAbort } from './client-abort';
import { sendKmsError } from './error-mapper';
import { sendContinueIfAwaited } from './expectations';
import { parseStrictJson } from './json-text';
import { requestState } from './request-state';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * The body checks that need no body (so they run before `100 Continue`): no content coding
 * but `identity` (a KMS request is small; decoding gzip would only add a decompression
 * surface, and a signature covers the bytes as sent), and no charset but UTF-8 (RFC 8259 §8.1).
 * Either refusal is 415 KMS.0308.
 */
export const requireIdentityUtf8: RequestHandler = (req, res, next) => {
  const coding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding !== '' && coding !== 'identity') {
    return sendKmsError(res, new KmsError('KMS.0308', 'Unsupported Content-Encoding: send the body uncompressed (identity).', 415));
  }
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return sendKmsError(res, new KmsError('KMS.0308', 'Unsupported request body charset: send UTF-8 JSON.', 415));
  }
  next();
};

/** Whether the request announces a body at all (type-is' rule, as body-parser applies it). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number.parseInt(req.headers['content-length'] ?? '', 10));
}

/**
 * Reads the body (up to `limit` bytes: 413 KMS.0203 beyond), keeps its bytes as received in
 * the request state (`rawBody`, for signature verification), and parses them strictly
 * (json-text.ts: 400 KMS.0202) after `checkBytes` (a signature over the bytes as sent). Sends `100 Continue` first when the client waits for it: every
 * check before this step has passed. As body-parser did, an empty body reads as `{}` and a
 * request without one leaves `req.body` unset, for schema validation to answer.
 */
export function readJsonBody(limit: number, checkBytes: (req: IncomingMessage, bytes: Buffer) => void): RequestHandler {
  return (req, res, next) => {
    const state = requestState(req);
    if (!hasBody(req)) {
      state.rawBody = Buffer.alloc(0);
      try {
        checkBytes(req, state.rawBody);
      } catch (error) {
        return next(error);
      }
      return next();
    }
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      // Refused before `100 Continue`, and unread: the connection closes rather than read what would be dropped.
      res.setHeader('Connection', 'close');
      return next(new KmsError('KMS.0203'));
    }
    sendContinueIfAwaited(req, res);
    getRawBody(req, { limit, length: req.headers['content-length'] }).then(
      (bytes) => {
        state.rawBody = bytes;
        try {
          checkBytes(req, bytes);
          req.body = bytes.length === 0 ? {} : parseStrictJson(bytes);
        } catch (error) {
          return next(error);
        }
        next();
      },
      (error: unknown) => {
        // The rest of the body was not read: close the connection rather than read it to drop it.
        if (!res.headersSent) res.setHeader('Connection', 'close');
        next(bodyReadFailure(error));
      },
    );
  };
}

/** raw-body's failures as KMS errors; a client that went away as a ClientAbort; anything else as is (a server fault). */
function bodyReadFailure(error: unknown): unknown {
  const failure = error as { type?: string; code?: string };
  if (failure.type === 'entity.too.large') return new KmsError('KMS.0203');
  if (failure.type === 'request.size.invalid') return new KmsError('KMS.0202', 'The request body does not match its Content-Length.');
  if (failure.type === 'request.aborted' || failure.code === 'ECONNRESET' || failure.code === 'ECONNABORTED') return new ClientAbort();
  return error;
}
