import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { KMS_ERRORS, KmsError, StoreUnavailableError, asStoreUnavailable, isKmsErrorCode, type KmsErrorCode } from '@openkms/core';
import { GatewayAuthError, sendGatewayError } from '../auth/signature';
import type { OperationDefinition } from '../generated/runtime';
import { ClientAbort } from './client-abort';
import { requestLogger } from './request-log';
import { maybeRequestState } from './request-state';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS, ServiceUnavailableError } from './service-unavailable';

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
  // Every 503 KMS.0104 (the store, the audit log) tells the client when to come back.
  const retryAfterSeconds = answer instanceof ServiceUnavailableError ? answer.retryAfterSeconds : SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS;
  const retryAfter = answer.code === 'KMS.0104' ? { 'Retry-After': String(retryAfterSeconds) } : {};
  res
    .set(answer === error ? { ...retryAfter, ...headers } : retryAfter)
    .status(answer.httpStatus)
    .json({ error: { error_code: answer.code, error_msg: answer.message } });
}

/**
 * Turns whatever reached the error handler into a KmsError:
 * - KmsError: as is;
 * - a key store failure that is unavailability (connection lost or refused, timeout, full or
 *   failing disk): 503 KMS.0104;
 * - express-openapi-validator errors: the failing field's `x-kms-error-code`, KMS.0204
 *   for a missing required field, KMS.0308 otherwise;
 * - anything else: 500 KMS.0101, with details only in the log.
 */
export function toKmsError(error: unknown, operation: OperationDefinition | undefined): KmsError {
  if (error instanceof KmsError) return error;
  const unavailable = asStoreUnavailable(error);
  if (unavailable) return unavailable;
  // The body reader (json-body.ts) answers size, coding and syntax itself.
  const failure = error as { status?: number; errors?: ValidatorErrorItem[] } | undefined;
  if (failure?.status === 400 && Array.isArray(failure.errors)) return fromValidationErrors(failure.errors, operation);
  if (failure?.status === 415) return new KmsError('KMS.0308', 'Content-Type must be application/json.', 415);
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
    if (first?.errorCode === 'additionalProperties.openapi.validation') {
      // The validator's path is `/body/<name>` with the name unescaped, so a name may hold `/`.
      return undefinedFieldError((first.path ?? '').replace(/^\/body\/?/, ''));
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

/** Longest field name an error message repeats: enough for any real field, bounded for anything sent. */
const UNDEFINED_FIELD_NAME_MAX_CHARS = 64;

/**
 * KMS.0308 naming the body field this API does not define (a newer revision's `pin`, a typo),
 * so a client learns which field to drop. The name is the caller's own text: cut to 64
 * characters, and anything but printable ASCII shown as `?`.
 */
export function undefinedFieldError(name: string): KmsError {
  const chars = [...name];
  const shown = chars
    .slice(0, UNDEFINED_FIELD_NAME_MAX_CHARS)
    .map((char) => (/^[\x20-\x7E]$/.test(char) ? char : '?'))
    .join('');
  const cut = chars.length > UNDEFINED_FIELD_NAME_MAX_CHARS ? '…' : '';
  return new KmsError('KMS.0308', `The request body has a parameter this API does not define: ${shown}${cut}.`);
}

function fieldMessage(code: KmsErrorCode, field: string): string {
  const message = KMS_ERRORS[code].message;
  return code === 'KMS.0308' ? `Invalid parameter: ${field}.` : message;
}

/**
 * Final error handler. Logs server faults with their stack (never request bodies), and an
 * unavailable store as a warning with its reason only (an outage is not a bug, and the driver's
 * stack says nothing more); answers every failure with the KMS body (a refused signature with the gateway's), a 503 with Retry-After.
 */
export function errorMapper(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    // A refused signature is the API gateway's answer (flat 401 APIGW.0301), not a KMS one.
    if (error instanceof GatewayAuthError) return sendGatewayError(res, error);
    // Nobody to answer; the completion line and the audit record say the client aborted (499).
    if (error instanceof ClientAbort) return;
    const state = maybeRequestState(req);
    const kmsError = toKmsError(error, state?.operation);
    const log = state ? requestLogger(logger, req, state) : logger;
    // A 503 is the server declining, logged where its cause is: the store's reason here, the
    // audit log's first failure where it happened.
    if (kmsError instanceof StoreUnavailableError) log.warn({ store_error: kmsError.reason }, 'the key store is unavailable; answered 503');
    else if (kmsError.httpStatus >= 500 && !(error instanceof ServiceUnavailableError)) log.error({ err: error }, 'request failed');
    sendKmsError(res, kmsError);
  };
}
