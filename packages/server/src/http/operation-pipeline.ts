import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from 'pino';
import { KmsError } from '@openkms/core';
import type { TokenRegistry } from '../auth/token-registry';
import type { OperationDefinition } from '../generated/runtime';
import { operationSlice, type ApiDocument } from './api-spec';
import { sendKmsError } from './error-mapper';
import { operationRateLimiter, type RateLimit } from './rate-limits';
import { requestLogger } from './request-log';
import { requestState, type RequestContext } from './request-state';

/** Largest accepted request body. A maximal valid request (8192-character context, 255-character alias) is far below it. */
export const MAX_BODY_BYTES = 64 * 1024;
const SEQUENCE = /^[\x21-\x7E]{36}$/;

/** An operation's handler as the pipeline calls it: validated input in, the 200 body out. */
export type OperationHandler = (
  input: { pathParams: Readonly<Record<string, string>>; body: unknown },
  context: RequestContext,
) => Promise<unknown>;

export interface PipelineOptions {
  readonly document: ApiDocument;
  readonly tokens: TokenRegistry;
  /** The request-scoped loggers' parent (redacting). */
  readonly log: Logger;
  readonly rateLimits: Readonly<Partial<Record<string, RateLimit>>>;
  readonly validateResponses: boolean;
}

/** One operation, mounted: `run` takes a routed request through every check to its handler, or to `next(error)`. */
export interface MountedOperation {
  readonly operation: OperationDefinition;
  run(req: Request, res: Response, next: NextFunction): void;
}

// The content type is checked before, so parse whatever came; strict:false lets a JSON
// scalar through to schema validation (KMS.0308) instead of calling it malformed.
const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });

/**
 * Builds an operation's checks in the order the spec documents (the route and method were
 * matched by the router): token, content type, rate limit, size and JSON syntax, schema,
 * then the handler. The schema check is express-openapi-validator over a slice of the spec
 * holding this operation alone, so its per-request route lookup sees one route however many
 * operations the spec has.
 */
export function mountOperation(operation: OperationDefinition, handler: OperationHandler, options: PipelineOptions): MountedOperation {
  const limiter = operationRateLimiter(operation.operationId, options.rateLimits);
  const slice = operationSlice(options.document, operation.path, operation.method);
  // Made on the operation's first request: a validator costs tens of milliseconds to load,
  // and an app (a test's, say) may never see most of its operations.
  let steps: readonly RequestHandler[] | undefined;
  const build = (): readonly RequestHandler[] => [
    authenticate(options.tokens),
    requireJson,
    ...(limiter ? [limiter] : []),
    parseJson,
    noteSequence,
    ...schemaValidator(slice, options.validateResponses),
    respond(handler, options.log),
  ];
  return { operation, run: (req, res, next) => runSteps((steps ??= build()), req, res, next) };
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

/** The caller's scope for the URL's project, from `X-Auth-Token`: KMS.0301 / 0302 / 0305 otherwise. */
function authenticate(tokens: TokenRegistry): RequestHandler {
  return (req, _res, next) => {
    const state = requestState(req);
    const { scope, grantName } = tokens.authorize(req.get('x-auth-token'), state.pathParams?.['project_id'] ?? '');
    state.principal = { scope, tokenName: grantName };
    next();
  };
}

const requireJson: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) return sendKmsError(res, new KmsError('KMS.0308', 'Content-Type must be application/json.', 415));
  next();
};

/** The body's `sequence`, when well-formed, joins the request's log lines to the caller's own records. */
const noteSequence: RequestHandler = (req, _res, next) => {
  const sequence = (req.body as { sequence?: unknown } | undefined)?.sequence;
  if (typeof sequence === 'string' && SEQUENCE.test(sequence)) requestState(req).sequence = sequence;
  next();
};

/** Calls the handler with the validated body and the caller's context; its result is the 200 body. */
function respond(handler: OperationHandler, log: Logger): RequestHandler {
  return async (req, res, next) => {
    try {
      const state = requestState(req);
      const principal = state.principal;
      if (!principal) throw new Error('operation reached without an authenticated caller');
      const context: RequestContext = {
        scope: principal.scope,
        tokenName: principal.tokenName,
        requestId: state.requestId,
        audit: state.audit,
        get log() {
          return requestLogger(log, req, state);
        },
      };
      // Fail closed: nothing runs while the audit log cannot be written, and no answer goes out before its record.
      state.auditTrail?.checkWritable();
      const result = await handler({ pathParams: state.pathParams ?? {}, body: req.body }, context);
      state.auditTrail?.beforeAnswer(req, state, 200);
      res.status(200).json(result);
    } catch (error) {
      next(error);
    }
  };
}
