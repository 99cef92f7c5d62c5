import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { KMS_ERRORS, KmsError, isKmsErrorCode, type KmsErrorCode } from '@openkms/core';
import type { OperationDefinition } from '../generated/runtime';
import { requestLogger } from './request-log';
import { maybeRequestState } from './request-state';
import { ServiceUnavailableError } from './service-unavailable';

interface ValidatorErrorItem {
  path?: string;
  message?: string;
  errorCode?: string;
}

/**
 * The one place where failures become the KMS error body `{"error":{"error_code","error_msg"}}`.
 * A key operation's refusal is audited first; if it cannot be, the answer is 503 instead (fail closed).
 */
export function sendKmsError(res: Response, error: KmsError, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  // For the request log and the audit trail.
  const state = maybeRequestState(res.req);
  let answer = error;
  if (state) {
    state.errorCode = error.code;
    try {
      state.auditTrail?.beforeAnswer(res.req, state, error.httpStatus);
    } catch (unaudited) {
      answer = unaudited instanceof KmsError ? unaudited : new KmsError('KMS.0101');
      state.errorCode = answer.code;
    }
  }
  const retryAfter = answer instanceof ServiceUnavailableError ? { 'Retry-After': String(answer.retryAfterSeconds) } : {};
  res
    .set(answer === error ? { ...retryAfter, ...headers } : retryAfter)
    .status(answer.httpStatus)
    .json({ error: { error_code: answer.code, error_msg: answer.message } });
}

/**
 * Turns whatever reached the error handler into a KmsError:
 * - KmsError: as is;
 * - body-parser errors: 413 KMS.0203, 415 KMS.0308, malformed JSON 400 KMS.0202;
 * - express-openapi-validator errors: the failing field's `x-kms-error-code`, KMS.0204
 *   for a missing required field, KMS.0308 otherwise;
 * - a full or failing disk under the SQLite store: 503 KMS.0104 with Retry-After;
 * - anything else: 500 KMS.0101, with details only in the log.
 */
export function toKmsError(error: unknown, operation: OperationDefinition | undefined): KmsError {
  if (error instanceof KmsError) return error;
  const failure = error as { type?: string; status?: number; errors?: ValidatorErrorItem[] } | undefined;
  switch (failure?.type) {
    case 'entity.too.large':
      return new KmsError('KMS.0203');
    case 'entity.parse.failed':
      return new KmsError('KMS.0202');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new KmsError('KMS.0308', 'Unsupported request body charset or encoding: send UTF-8 JSON.', 415);
    default:
      break;
  }
  if (failure?.status === 400 && Array.isArray(failure.errors)) return fromValidationErrors(failure.errors, operation);
  if (failure?.status === 415) return new KmsError('KMS.0308', 'Content-Type must be application/json.', 415);
  // The disk under the SQLite store is full or failing: no fault of the request, and it may pass.
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^SQLITE_(FULL|IOERR)/.test(code)) return new ServiceUnavailableError();
  return new KmsError('KMS.0101');
}

function fromValidationErrors(items: ValidatorErrorItem[], operation: OperationDefinition | undefined): KmsError {
  const first = items[0];
  const segments = (first?.path ?? '').split('/').filter(Boolean);
  const location = segments[0];
  if (location === 'body') {
    const field = segments[1];
    if (first?.errorCode === 'required.openapi.validation' && segments.length === 2) {
      return new KmsError('KMS.0204', `Missing required parameter: ${field}.`);
    }
    if (first?.errorCode === 'additionalProperties.openapi.validation' && segments.length <= 2) {
      return new KmsError('KMS.0308', 'The request body has a parameter this API does not define.');
    }
    const code = field ? operation?.bodyFieldErrorCodes[field] : undefined;
    if (code && isKmsErrorCode(code)) {
      return new KmsError(code, fieldMessage(code, field!));
    }
    return new KmsError('KMS.0308', field ? `Invalid parameter: ${field}.` : 'The request body must be a JSON object.');
  }
  if (location === 'params' || location === 'path') return new KmsError('KMS.0308', 'Invalid project_id in the URL.');
  return new KmsError('KMS.0308');
}

function fieldMessage(code: KmsErrorCode, field: string): string {
  const message = KMS_ERRORS[code].message;
  return code === 'KMS.0308' ? `Invalid parameter: ${field}.` : message;
}

/**
 * Final error handler. Logs server faults with their stack (never request bodies), answers
 * every failure with the KMS body.
 */
export function errorMapper(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const state = maybeRequestState(req);
    const kmsError = toKmsError(error, state?.operation);
    // A 503 is the server declining, logged where its cause is (the audit log's first failure, say).
    if (kmsError.httpStatus >= 500 && !(error instanceof ServiceUnavailableError)) {
      (state ? requestLogger(logger, req, state) : logger).error({ err: error }, 'request failed');
    }
    sendKmsError(res, kmsError);
  };
}
