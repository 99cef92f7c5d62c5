import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from 'pino';
import { KmsError } from '@openkms/core';
import { GatewayAuthError, isSignedRequest, parseAuthorization, REASONS, type SignatureVerifier } from '../auth/signature';
import type { TokenRegistry } from '../auth/token-registry';
import type { OperationDefinition } from '../generated/runtime';
import { operationSlice, type ApiDocument } from './api-spec';
import { sendKmsError } from './error-mapper';
import { isAnonymousOperation, pathParameterValues } from './operation-facts';
import { readJsonBody, requireIdentityUtf8 } from './json-body';
import { operationRateLimiter, type RateLimit } from './rate-limits';
import { requestLogger } from './request-log';
import { requestState, type Principal, type RequestContext } from './request-state';

/** Largest accepted request body. A maximal valid request (8192-character context, 255-character alias) is far below it. */
export const MAX_BODY_BYTES = 64 * 1024;
const SEQUENCE = /^[\x21-\x7E]{36}$/;

/** An operation's handler as the pipeline calls it: validated input in, the 200 body out (nothing: 204). */
export type OperationHandler = (
  input: { pathParams: Readonly<Record<string, string>>; body: unknown },
  context: RequestContext,
) => Promise<unknown>;

export interface PipelineOptions {
  readonly document: ApiDocument;
  readonly tokens: TokenRegistry;
  /** Verifies `SDK-HMAC-SHA256` signed requests. */
  readonly signatures: SignatureVerifier;
  /** The request-scoped loggers' parent (redacting). */
  readonly log: Logger;
  readonly rateLimits: Readonly<Partial<Record<string, RateLimit>>>;
  readonly validateResponses: boolean;
}

/** One operation, mounted: `run` takes a routed request through every check to its handler, or to `next(error)`. */
export interface MountedOperation {
  readonly operation: OperationDefinition;
  /** The values each enum-typed path parameter may take (the router matches only these). */
  readonly pathParameterValues: Readonly<Record<string, readonly string[]>>;
  run(req: Request, res: Response, next: NextFunction): void;
  /**
   * The credential checks that need no body, alone (for `Expect: 100-continue`): a token, or a
   * signature's Authorization header, X-Sdk-Date, access key, lock, date window and project.
   * For a routed request (its state's pathParams set) whose body has not been read. Resolves
   * when the request may go on (`run` then does not repeat the check); rejects with the
   * KmsError or GatewayAuthError to answer (the error mapper writes either).
   */
  checkBeforeBody(req: IncomingMessage): Promise<void>;
}

// The content type is checked before; a JSON scalar goes on to schema validation (KMS.0308). A
// signed request's signature is checked over the raw bytes as read, before they are parsed.
const parseJson = readJsonBody(MAX_BODY_BYTES, checkSignedBody);

/**
 * Builds an operation's checks in the order the spec documents (the route and method were
 * matched by the router): credentials (the token, or a signature's headers), content type,
 * rate limit, size, the signature over the raw body, JSON syntax, schema, then the handler.
 * The schema check is express-openapi-validator over a slice of the spec holding this
 * operation alone, so its per-request route lookup sees one route however many operations
 * the spec has.
 */
export function mountOperation(operation: OperationDefinition, handler: OperationHandler, options: PipelineOptions): MountedOperation {
  const limiter = operationRateLimiter(operation.operationId, options.rateLimits);
  const slice = operationSlice(options.document, operation.path, operation.method);
  // `security: []` in the spec (version discovery): no credential is asked for, and any sent is ignored.
  const anonymous = isAnonymousOperation(slice, operation.path, operation.method);
  // Made on the operation's first request: a validator costs tens of milliseconds to load,
  // and an app (a test's, say) may never see most of its operations.
  let steps: readonly RequestHandler[] | undefined;
  const checkBeforeBody = async (req: IncomingMessage): Promise<void> => (anonymous ? undefined : checkCredentials(req, options));
  const build = (): readonly RequestHandler[] => [
    ...(anonymous ? [requireJson, requireIdentityUtf8] : preBodyChecks(options)),
    ...(limiter ? [limiter] : []),
    // Sends `100 Continue` to a client waiting for it: every check above needs no body.
    parseJson,
    noteSequence,
    ...schemaValidator(slice, options.validateResponses),
    respond(handler, options.log, anonymous),
  ];
  return {
    operation,
    pathParameterValues: pathParameterValues(slice, operation.path, operation.method),
    run: (req, res, next) => runSteps((steps ??= build()), req, res, next),
    checkBeforeBody,
  };
}

/** express-openapi-validator over one operation's slice of the spec: request (and response) shapes only. */
function schemaValidator(slice: ApiDocument, validateResponses: boolean): RequestHandler[] {
  return OpenApiValidator.middleware({
    apiSpec: slice as unknown as string,
    // Checking the document against the OpenAPI schema compiles that schema anew in every
    // instance (most of a validator's load time); `npm run lint:spec` checks spec/kms.yaml.
    validateApiSpec: false,
    validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false },
    validateResponses: validateResponses ? { removeAdditional: false, coerceTypes: false } : false,
    // Authentication is ours, with KMS codes; the validator only checks shapes.
    validateSecurity: false,
    validateFormats: true,
    fileUploader: false,
    operationHandlers: false,
  });
}

/** Runs middleware in order, as Express would, without a router's per-layer path matching. */
function runSteps(steps: readonly RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const next = (error?: unknown): void => {
    if (error !== undefined && error !== null && error !== 'route' && error !== 'router') return done(error);
    const step = steps[index++];
    if (!step) return done();
    try {
      const result = step(req, res, next);
      if (result instanceof Promise) result.catch(next);
    } catch (thrown) {
      done(thrown);
    }
  };
  next();
}

/**
/**
 * What is checked from the head alone, before `100 Continue` and before the body is read: the
 * caller's credential, the content type, the content coding and charset.
 */
export function preBodyChecks(options: PipelineOptions): RequestHandler[] {
  const credentials: RequestHandler = (req, _res, next) => {
    // Synchronous for a token, as before; a signature waits for its access key lookup.
    const lookup = checkCredentials(req, options);
    if (lookup) lookup.then(() => next(), next);
    else next();
  };
  return [credentials, requireJson, requireIdentityUtf8];
}

/**
 * Who is calling, before the body is read. A request whose `Authorization` is an
 * `SDK-HMAC-SHA256` signature is judged by its signature (and refused if it also carries a
 * non-empty `X-Auth-Token`: one rule, no guessing which credential was meant); any other by
 * `X-Auth-Token` exactly as before (KMS.0301 / 0302 / 0305). Done once per request.
 */
function checkCredentials(req: IncomingMessage, options: PipelineOptions): Promise<void> | undefined {
  const state = requestState(req);
  if (state.principal) return undefined;
  const projectId = state.pathParams?.['project_id'] ?? '';
  const authorization = req.headers.authorization;
  const token = req.headers['x-auth-token'] as string | undefined;
  if (!isSignedRequest(authorization)) {
    const { scope, grantName } = options.tokens.authorize(token, projectId);
    state.principal = { scope, credential: 'token', credentialName: grantName };
    return undefined;
  }
  if (token !== undefined && token.trim() !== '') throw new GatewayAuthError(REASONS.both);
  const claim = parseAuthorization(authorization);
  state.accessKeyId = claim.accessKeyId;
  return options.signatures.checkHeaders(req, claim, projectId).then((pending) => {
    state.pendingSignature = pending;
    state.principal = {
      scope: { domainId: pending.credential.domainId, projectId },
      credential: 'access-key',
      credentialName: pending.credential.name,
      accessKeyId: claim.accessKeyId,
    };
  });
}

/** The signature over the body (undefined: none came); a mismatch withdraws the principal and is a 401. */
function checkSignedBody(req: IncomingMessage, rawBody: Buffer | undefined): void {
  const state = requestState(req);
  const pending = state.pendingSignature;
  if (!pending) return;
  state.pendingSignature = undefined;
  try {
    pending.verifyBody(rawBody);
  } catch (error) {
    state.principal = undefined;
    throw error;
  }
}

const requireJson: RequestHandler = (req, res, next) => {
  // A GET or DELETE operation (user-quotas, user-instances, tags) takes no body: nothing to type.
  if (
    (req.method === 'GET' || req.method === 'DELETE') &&
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined
  )
    return next();
  if (!req.is('application/json')) return sendKmsError(res, new KmsError('KMS.0308', 'Content-Type must be application/json.', 415));
  next();
};

/** The body's `sequence`, when well-formed, joins the request's log lines to the caller's own records. */
const noteSequence: RequestHandler = (req, _res, next) => {
  const sequence = (req.body as { sequence?: unknown } | undefined)?.sequence;
  if (typeof sequence === 'string' && SEQUENCE.test(sequence)) requestState(req).sequence = sequence;
  next();
};

/** The caller of an operation that asks for no credential: no scope, no name. */
const ANONYMOUS: Principal = { scope: { domainId: '', projectId: '' }, credential: 'none', credentialName: '' };

/** A plain host name, IPv4 or bracketed IPv6 address, with an optional port: nothing else is echoed into an answer. */
const PLAIN_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/** `http://host[:port]` as the request addressed it, when its Host header is plain; undefined otherwise. */
function requestOrigin(req: Request): string | undefined {
  const host = req.headers.host;
  return host !== undefined && PLAIN_HOST.test(host) ? `${req.protocol}://${host}` : undefined;
}

/** Calls the handler with the validated body and the caller's context; its result is the 200 body. */
function respond(handler: OperationHandler, log: Logger, anonymous: boolean): RequestHandler {
  return async (req, res, next) => {
    try {
      const state = requestState(req);
      const principal = anonymous ? ANONYMOUS : state.principal;
      if (!principal) throw new Error('operation reached without an authenticated caller');
      const context: RequestContext = {
        scope: principal.scope,
        credential: principal.credential,
        credentialName: principal.credentialName,
        ...(principal.accessKeyId !== undefined && { accessKeyId: principal.accessKeyId }),
        requestId: state.requestId,
        origin: requestOrigin(req),
        audit: state.audit,
        get log() {
          return requestLogger(log, req, state);
        },
      };
      // Fail closed: nothing runs while the audit log cannot be written, and no answer goes out before its record.
      state.auditTrail?.checkWritable();
      const result = await handler({ pathParams: state.pathParams ?? {}, body: req.body }, context);
      // A handler of a 204 operation (the spec's only success is 204: tag changes) returns nothing.
      const status = result === undefined ? 204 : 200;
      state.auditTrail?.beforeAnswer(req, state, status);
      if (status === 204) res.status(204).end();
      else res.status(200).json(result);
    } catch (error) {
      next(error);
    }
  };
}
