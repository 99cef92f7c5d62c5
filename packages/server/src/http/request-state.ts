import type { IncomingMessage } from 'node:http';
import type { Scope } from '@openkms/core';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/audit-trail';
import type { PendingSignature } from '../auth/signature';
import type { OperationDefinition } from '../generated/runtime';

/** What a handler may record for the audit trail and the request log: the key it used. */
export interface AuditFields {
  /** The key ID the operation made or used (never an alias): set by the handler once it knows it. */
  keyId?: string;
}

/** Who is calling, as the token registry or the signature verifier answered. */
export interface Principal {
  readonly scope: Scope;
  /**
   * Which credential the caller presented: `X-Auth-Token`, or an access key's `SDK-HMAC-SHA256`
   * signature; `none` only in the context of an operation that asks for none (version discovery).
   */
  readonly credential: 'token' | 'access-key' | 'none';
  /** The credential's name (the token file entry's or the access key's; never a secret), for logs and the audit trail. */
  readonly credentialName: string;
  /** The access key ID, for a signed request. */
  readonly accessKeyId?: string;
}

/** What every handler gets beside its validated input: who is calling, a request-scoped logger, and the audit fields to fill. */
export interface RequestContext extends Principal {
  readonly requestId: string;
  /** `http://host[:port]` the request addressed (its Host header, when plain), for links in answers; undefined otherwise. */
  readonly origin: string | undefined;
  readonly log: Logger;
  readonly audit: AuditFields;
}

/**
 * Everything a request carries from one stage to the next (router, authentication, rate
 * limits, handler, error mapper, audit trail, request log). One typed object under a private
 * symbol of the request, in place of `res.locals`: each field has one writer, named here.
 */
export interface RequestState {
  /** `X-Request-Id`: the caller's when well-formed, else a new UUID. Set when the request arrives. */
  readonly requestId: string;
  /** `process.hrtime.bigint()` when the request arrived, for the completion line's `responseTime`. */
  readonly startedAt: bigint;
  /** Set by the router. */
  operation?: OperationDefinition;
  /** The URL's path parameters (`project_id`), decoded; set by the router. */
  pathParams?: Readonly<Record<string, string>>;
  /**
   * Set by authentication. For a signed request, set once its headers passed (the rate limit
   * counts it against that domain) and withdrawn if the signature over the body then fails.
   */
  principal?: Principal;
  /** The access key ID a signed request names, once its Authorization header parsed (not yet proven); for logs and audit. */
  accessKeyId?: string;
  /** A signed request whose headers passed, until its body is checked; set by authentication, cleared by the body check. */
  pendingSignature?: PendingSignature;
  /** The body's bytes as received (empty when there was none); set by the body reader (json-body.ts), for signature checks. */
  rawBody?: Buffer;
  /** The body's `sequence` when well-formed; set once the body is parsed. */
  sequence?: string;
  /** Set by the handler (the key it used). */
  readonly audit: AuditFields;
  /** The KMS error code of the answer, when it is one; set by the one writer of error bodies. */
  errorCode?: string;
  /** Records the request before its answer goes out (fail closed); set when the request arrives (app.ts). */
  auditTrail?: AuditTrail;
  /** The request-scoped logger, made on first use (request-log.ts). */
  log?: Logger;
}

const STATE = Symbol('openkms.requestState');

type WithState = IncomingMessage & { [STATE]?: RequestState };

/** Attaches a new state to a request that just arrived. */
export function beginRequestState(req: IncomingMessage, requestId: string): RequestState {
  const state: RequestState = { requestId, startedAt: process.hrtime.bigint(), audit: {} };
  (req as WithState)[STATE] = state;
  return state;
}

/** The request's state; a request that never went through `beginRequestState` is a wiring fault. */
export function requestState(req: IncomingMessage): RequestState {
  const state = (req as WithState)[STATE];
  if (!state) throw new Error('request state read before the request was begun');
  return state;
}

/** The request's state, if the request got that far (the error mapper may see requests that did not). */
export function maybeRequestState(req: IncomingMessage): RequestState | undefined {
  return (req as WithState)[STATE];
}
