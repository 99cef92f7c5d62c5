import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { KmsError, type KmsService } from '@openkms/core';
import { operations, type OperationDefinition, type OperationHandlers, type OperationId } from '../generated';
import { createOperationHandlers, type RequestContext } from '../handlers';
import type { TokenRegistry } from '../auth/token-registry';
import { NO_AUDIT, type AuditSink } from '../audit/audit-log';
import { auditOperation, type AuditLocals } from '../audit/audit-trail';
import { SPEC_PATH } from '../runtime/spec-path';
import { errorMapper, sendKmsError } from './error-mapper';
import { rateLimiter, type RateLimits } from './rate-limits';
import { createRouteMatcher } from './route-matcher';

/** Largest accepted request body. A maximal valid request (8192-character context, 255-character alias) is far below it. */
export const MAX_BODY_BYTES = 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SEQUENCE = /^[\x21-\x7E]{36}$/;

export interface AppOptions {
  readonly service: KmsService;
  readonly tokens: TokenRegistry;
  readonly logger: Logger;
  /** Validate every response against the spec (on in tests; a mismatch becomes a 500). */
  readonly validateResponses?: boolean;
  /** Whether the service is ready to serve; /health answers 503 otherwise (e.g. while shutting down). */
  readonly isReady?: () => boolean;
  /** Where every key operation is recorded; none when absent. */
  readonly audit?: AuditSink;
  /** Per-operation, per-domain request limits; none when absent. */
  readonly rateLimits?: RateLimits;
}

/** What express-openapi-validator adds to a request it matched. */
type OpenApiRequest = Request & { openapi?: { pathParams?: Record<string, string> } };

interface Locals extends AuditLocals {
  operation?: OperationDefinition<OperationId>;
  context?: RequestContext;
}

/**
 * The HTTP surface. Checks run in the order the spec documents: route and method, token,
 * content type, rate limit, size, JSON syntax, schema (express-openapi-validator), then the
 * handler.
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(requestLogging(options.logger));

  app.get('/health', (_req, res) => {
    const ready = options.isReady?.() ?? true;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable' });
  });

  const match = createRouteMatcher(operations);
  const audit = options.audit ?? NO_AUDIT;
  app.use((req, res, next) => {
    const found = match(req.method, req.path);
    if (found.kind === 'not-found') return sendKmsError(res, new KmsError('KMS.0201'));
    if (found.kind === 'method-not-allowed') {
      return sendKmsError(res, new KmsError('KMS.0215', `Method ${req.method} is not supported on this path.`), {
        Allow: found.allow.join(', '),
      });
    }
    (res.locals as Locals).operation = found.operation;
    const token = req.get('x-auth-token');
    const projectId = found.pathParams['project_id'] ?? '';
    auditOperation(audit, req, res, found.operation.operationId, projectId);
    const { scope, grantName } = options.tokens.authorize(token, projectId);
    // No child logger per request (a measurable cost under load): the request-completed line
    // carries token_name, and the request ID joins any other line to it.
    (res.locals as Locals).context = { scope, requestId: String(req.id), tokenName: grantName, log: req.log };
    if (!req.is('application/json')) {
      return sendKmsError(res, new KmsError('KMS.0308', 'Content-Type must be application/json.', 415));
    }
    next();
  });

  app.use(rateLimiter(options.rateLimits ?? {}));

  // The content type was checked above, so parse whatever came; strict:false lets a JSON
  // scalar through to schema validation (KMS.0308) instead of calling it malformed.
  app.use(express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true }));
  app.use(logSequence());

  const handlers = createOperationHandlers(options.service);
  app.use(
    OpenApiValidator.middleware({
      apiSpec: SPEC_PATH,
      validateApiSpec: true,
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false },
      validateResponses: options.validateResponses ? { removeAdditional: false, coerceTypes: false } : false,
      // Authentication is ours (above), with KMS codes; the validator only checks shapes.
      validateSecurity: false,
      validateFormats: true,
      operationHandlers: {
        basePath: '',
        resolver: (_basePath, route, apiDoc) => {
          const operation = (apiDoc.paths?.[route.openApiRoute] as Record<string, { operationId?: string }> | undefined)?.[
            route.method.toLowerCase()
          ];
          return dispatch(handlers, operation?.operationId);
        },
      },
    }),
  );

  app.use(errorMapper());
  return app;
}

/** The express handler express-openapi-validator routes an operation to: input in, 200 JSON out. */
function dispatch(handlers: OperationHandlers<RequestContext>, operationId: string | undefined): RequestHandler {
  const definition = operations.find((op) => op.operationId === operationId);
  if (!definition) throw new Error(`the spec names operation ${String(operationId)}, which the generated route table lacks`);
  const handler = handlers[definition.operationId] as (input: unknown, context: RequestContext) => Promise<unknown>;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const context = (res.locals as Locals).context;
      if (!context) throw new Error('operation reached without an authenticated context');
      const result = await handler({ pathParams: (req as OpenApiRequest).openapi?.pathParams ?? req.params, body: req.body }, context);
      // decrypt-datakey's result names no key: the request's key ID then (the core checked it is the blob's).
      (res.locals as Locals).auditKeyId = keyIdOf(result) ?? keyIdOf({ key_id: plainKeyId((req.body as { key_id?: unknown } | undefined)?.key_id) });
      res.status(200).json(result);
    } catch (error) {
      next(error);
    }
  };
}

/** `value` when it is a key ID itself (not an alias or URN), for the audit record. */
function plainKeyId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/.test(value) ? value : undefined;
}

/** The key an operation's result names: `key_info.key_id` (create-key) or `key_id`. */
function keyIdOf(result: unknown): string | undefined {
  const value = result as { key_id?: unknown; key_info?: { key_id?: unknown } } | undefined;
  const keyId = value?.key_info?.key_id ?? value?.key_id;
  return typeof keyId === 'string' ? keyId : undefined;
}

function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Only what helps an operator; headers (and so tokens) are never serialized.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // The outcome on the request-completed line itself, without a child logger per request.
    customSuccessObject: (_req, res, value: Record<string, unknown>) => {
      const locals = (res as Response).locals as Locals;
      return {
        ...value,
        ...(locals.context && { token_name: locals.context.tokenName }),
        ...(locals.auditKeyId && { key_id: locals.auditKeyId }),
      };
    },
    customProps: (req, res) => {
      const props: Record<string, unknown> = {};
      const sequence = (req as Request).body?.sequence;
      if (typeof sequence === 'string' && SEQUENCE.test(sequence)) props.sequence = sequence;
      const code = (res as Response).locals?.kmsErrorCode;
      if (code) props.error_code = code;
      return props;
    },
  });
}

/** Puts the request's `sequence` (when valid) on the request-scoped logger. */
function logSequence(): RequestHandler {
  return (req, res, next) => {
    const sequence = (req.body as { sequence?: unknown } | undefined)?.sequence;
    const context = (res.locals as Locals).context;
    if (context && typeof sequence === 'string' && SEQUENCE.test(sequence)) {
      (res.locals as Locals).context = { ...context, log: context.log.child({ sequence }) };
    }
    next();
  };
}
