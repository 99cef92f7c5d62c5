import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { OperationDefinition } from '../generated/runtime';
import { recordedStatus } from './client-abort';
import type { RequestState } from './request-state';

/**
 * pino `redact` paths for every field the spec marks `x-sensitive` (request and response
 * bodies, from the generated route table): the field at the top of a logged object and one
 * level down (`{ body: { plain_text } }`).
 */
export function sensitiveLogPaths(operations: readonly OperationDefinition[]): string[] {
  const fields = new Set<string>();
  for (const operation of operations) {
    for (const field of [...operation.requestSensitiveFields, ...operation.responseSensitiveFields]) fields.add(field);
  }
  return [...fields].sort().flatMap((field) => [field, `*.${field}`]);
}

/** The logger handlers and the error mapper write through: the app's logger, redacting the spec's sensitive fields. */
export function redactingLogger(logger: Logger, operations: readonly OperationDefinition[]): Logger {
  return logger.child({}, { redact: { paths: sensitiveLogPaths(operations), censor: '[redacted]' } });
}

/**
 * The request as log lines show it: never headers (so never tokens), never the body, and of the
 * target only its path: a query string may carry a token or other secret a client put there.
 */
function requestFields(req: IncomingMessage, state: RequestState): { id: string; method: string | undefined; url: string | undefined } {
  return { id: state.requestId, method: req.method, url: pathOnly((req as { originalUrl?: string }).originalUrl ?? req.url) };
}

/** The request target up to its query string (or fragment). */
function pathOnly(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/**
 * The request-scoped logger: created on first use only (many requests log nothing but their
 * completion line), binding the request and its `sequence` so any line joins the completion line.
 */
export function requestLogger(base: Logger, req: IncomingMessage, state: RequestState): Logger {
  state.log ??= base.child({ req: requestFields(req, state), ...(state.sequence !== undefined && { sequence: state.sequence }) });
  return state.log;
}

/**
 * One line per request when its response closes (`request completed`, or `request aborted`
 * when the client went away first), with what an operator needs: status, time, caller, key,
 * error code. Written with the app's logger directly: a child logger per request would cost
 * more than the line itself.
 */
export function logCompletion(logger: Logger, req: IncomingMessage, res: ServerResponse, state: RequestState): void {
  // The status the audit trail records too. 499, a client that went away before its answer, is
  // no fault of the server's: info level. A refusal sent without reading the body is completed.
  const status = recordedStatus(req, res);
  const completed = status !== 499;
  const level = status === 499 ? 'info' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      req: requestFields(req, state),
      ...(state.sequence !== undefined && { sequence: state.sequence }),
      ...(state.errorCode !== undefined && { error_code: state.errorCode }),
      res: { statusCode: status },
      responseTime: Number((process.hrtime.bigint() - state.startedAt) / 1000n) / 1000,
      ...credentialFields(state),
      ...(state.audit.keyId !== undefined && { key_id: state.audit.keyId }),
    },
    completed ? 'request completed' : 'request aborted',
  );
}

/**
 * Who called, for the completion line and the audit record: the token's name, or the access
 * key's ID (also when its signature failed, as far as it parsed) and, once its headers passed, its name.
 * Never a token, secret key, signature, canonical request or string to sign.
 */
export function credentialFields(state: RequestState): { token_name?: string; access_key_id?: string; access_key_name?: string } {
  const principal = state.principal;
  if (principal?.credential === 'token') return { token_name: principal.credentialName };
  if (state.accessKeyId === undefined) return {};
  return principal ? { access_key_id: state.accessKeyId, access_key_name: principal.credentialName } : { access_key_id: state.accessKeyId };
}
