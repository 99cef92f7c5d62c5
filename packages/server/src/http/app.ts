import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { KmsError, type KmsService } from '@openkms/core';
import { operations as kmsOperations } from '../generated';
import type { OperationDefinition } from '../generated/runtime';
import { createOperationHandlers } from '../handlers';
import type { AccessKeyResolver } from '../auth/access-key-resolver';
import { SignatureVerifier } from '../auth/signature';
import type { TokenRegistry } from '../auth/token-registry';
import { NO_AUDIT, type AuditSink } from '../audit/audit-log';
import { AuditTrail } from '../audit/audit-trail';
import type { ServerMetrics } from '../metrics/server-metrics';
import { apiReferenceRoutes } from './api-reference';
import { loadKmsSpec, type ApiDocument } from './api-spec';
import { errorMapper, sendKmsError } from './error-mapper';
import { healthRoutes } from './health';
import { mountOperation, type MountedOperation, type OperationHandler } from './operation-pipeline';
import type { RateLimit } from './rate-limits';
import { readOnlyRoutes } from './read-only-routes';
import { checkRequestHead } from './request-head';
import { logCompletion, redactingLogger } from './request-log';
import { beginRequestState, requestState } from './request-state';
import { RouteTable } from './route-table';

export { MAX_BODY_BYTES, type OperationHandler } from './operation-pipeline';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The API an app serves: a spec document, the operations to mount from it, and a handler for each. */
export interface AppApi {
  readonly document: ApiDocument;
  readonly operations: readonly OperationDefinition[];
  readonly handlers: Readonly<Record<string, OperationHandler>>;
}

export interface AppOptions {
  readonly service: KmsService;
  readonly tokens: TokenRegistry;
  /** The access keys `SDK-HMAC-SHA256` signed requests are checked against; without it every access key is unknown (401). */
  readonly accessKeys?: AccessKeyResolver;
  /** The clock X-Sdk-Date is checked against (epoch milliseconds); `Date.now` by default. For tests. */
  readonly now?: () => number;
  readonly logger: Logger;
  /** Validate every response against the spec (on in tests; a mismatch becomes a 500). */
  readonly validateResponses?: boolean;
  /** Whether the service is ready to serve; /health answers 503 otherwise (e.g. while shutting down). */
  readonly isReady?: () => boolean;
  /** Resolves when the key store answers; /health/ready asks it (cached briefly). None: always reachable. */
  readonly probeStore?: () => Promise<unknown>;
  /** Where every key operation is recorded; none when absent. */
  readonly audit?: AuditSink;
  /** Per-operation, per-domain request limits; none when absent. */
  readonly rateLimits?: Readonly<Partial<Record<string, RateLimit>>>;
  /** Counts every request and serves GET /metrics; without it /metrics is an unknown path (404). */
  readonly metrics?: ServerMetrics;
  /**
   * What to serve: spec/kms.yaml, the generated route table and the handlers over `service`
   * by default. (The bench mounts a wider spec to show routing cost does not grow with it.)
   */
  readonly api?: AppApi;
}

/** The API of spec/kms.yaml: the generated route table and the handlers over `service`. */
export function kmsApi(service: KmsService): AppApi {
  return {
    document: loadKmsSpec(),
    operations: kmsOperations,
    // The generated OperationHandlers type checked each handler's input and result against the spec.
    handlers: createOperationHandlers(service) as unknown as Readonly<Record<string, OperationHandler>>,
  };
}

/**
 * The HTTP surface. The route table is the only router: each operation is mounted once, with
 * its checks in the order the spec documents (route and method, credentials, content type,
 * rate limit, size, signature over the body, JSON syntax, schema, handler); an unknown path is
 * 404 KMS.0201, a known path with another method 405 KMS.0215 with `Allow`, whatever the
 * credential or body.
 */
export function createApp(options: AppOptions): Express {
  const api = options.api ?? kmsApi(options.service);
  const log = redactingLogger(options.logger, api.operations);
  const pipeline = {
    document: api.document,
    tokens: options.tokens,
    signatures: new SignatureVerifier({ accessKeys: options.accessKeys, now: options.now ?? Date.now }),
    log,
    rateLimits: options.rateLimits ?? {},
    validateResponses: options.validateResponses ?? false,
  };
  const routes = new RouteTable<MountedOperation>(
    api.operations.map((operation) => {
      const handler = api.handlers[operation.operationId];
      if (!handler) throw new Error(`operation ${operation.operationId} has no handler`);
      return mountOperation(operation, handler, pipeline);
    }),
  );

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(beginRequest(options.logger, options.audit ?? NO_AUDIT, options.metrics));
  app.use(checkRequestHead);

  app.use(apiReferenceRoutes(api.document));
  const metrics = options.metrics;
  if (metrics) {
    app.use(
      readOnlyRoutes({
        '/metrics': (_req, res, next) => {
          metrics.render().then(({ contentType, text }) => void res.type(contentType).send(text), next);
        },
      }),
    );
  }
  app.use(healthRoutes({ logger: options.logger, isAccepting: () => options.isReady?.() ?? true, probeStore: options.probeStore }));

  app.use((req, res, next) => {
    const found = routes.lookup(req.method, req.path);
    if (found.kind === 'not-found') return sendKmsError(res, new KmsError('KMS.0201'));
    if (found.kind === 'method-not-allowed') {
      return sendKmsError(res, new KmsError('KMS.0215', `Method ${req.method} is not supported on this path.`), {
        Allow: found.allow.join(', '),
      });
    }
    const state = requestState(req);
    state.operation = found.route.operation;
    state.pathParams = found.pathParams;
    found.route.run(req, res, next);
  });

  app.use(errorMapper(log));
  return app;
}

/**
 * Gives the request its ID (the caller's `X-Request-Id` when well-formed) and its state with
 * the audit trail (a key operation is recorded before its answer), and writes its completion
 * log line (and the record of a request that closed unanswered) and its metrics when the response closes.
 */
function beginRequest(logger: Logger, audit: AuditSink, metrics: ServerMetrics | undefined): RequestHandler {
  const trail = new AuditTrail(audit, logger);
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    const state = beginRequestState(req, id);
    state.auditTrail = trail;
    res.once('close', () => {
      trail.afterClose(req, res, state);
      logCompletion(logger, req, res, state);
      metrics?.observeRequest(req, res, state);
    });
    next();
  };
}
