import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { KmsError } from '@openkms/core';
import { operationIds, type OperationId } from '../generated';
import { sendKmsError } from './error-mapper';
import { requestState } from './request-state';

/** A limit of `limit` requests per `windowMs`, counted per domain (customer). */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export type RateLimits = Readonly<Partial<Record<OperationId, RateLimit>>>;

/** The service's documented quotas (KMS docs: limits): create-datakey 1000/s per customer, create-key 20/s. */
export const SERVICE_RATE_LIMITS: RateLimits = {
  createDatakey: { limit: 1000, windowMs: 1000 },
  createKey: { limit: 20, windowMs: 1000 },
};

/** The operations a limit may name: every operationId of the spec, from the generated code. */
const OPERATIONS: readonly OperationId[] = operationIds;
const WINDOWS: Readonly<Record<string, number>> = { s: 1000, min: 60_000, h: 3_600_000 };

/**
 * Reads `--rate-limits`: `off` (the default: no limits, for local development), `service`
 * (the documented quotas), or a list like `createDatakey=3000/s,createKey=100/min`;
 * operations not listed are not limited.
 */
export function parseRateLimits(text: string): RateLimits {
  const value = text.trim();
  if (value === 'off') return {};
  if (value === 'service') return SERVICE_RATE_LIMITS;
  const limits: Partial<Record<OperationId, RateLimit>> = {};
  for (const part of value.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*([1-9][0-9]{0,8})\s*\/\s*(s|min|h)\s*$/.exec(part);
    const operation = OPERATIONS.find((id) => id === match?.[1]);
    if (!match || !operation) {
      throw new Error(
        `rate limit "${part.trim()}": expected off, service, or <operation>=<n>/<s|min|h> with operation one of ${OPERATIONS.join(', ')}`,
      );
    }
    if (limits[operation]) throw new Error(`rate limit for ${operation} given twice`);
    limits[operation] = { limit: Number(match[2]), windowMs: WINDOWS[match[3]!]! };
  }
  return limits;
}

/**
 * The limiter of one operation, when `limits` names it: per domain, after authentication
 * and before the body is parsed, so a throttled request costs little. Over the limit: 429
 * KMS.0429 with `Retry-After` (seconds until the window resets). Counters live in this
 * process: with several instances, each enforces the limit on its own.
 */
export function operationRateLimiter(
  operationId: string,
  limits: Readonly<Partial<Record<string, RateLimit>>>,
): RequestHandler | undefined {
  const found = limits[operationId];
  if (!found) return undefined;
  return rateLimit({
    windowMs: found.windowMs,
    limit: found.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => requestState(req).principal?.scope.domainId ?? '',
    handler: (_req, res) => sendKmsError(res, new KmsError('KMS.0429')),
    // The key is the domain, never the client IP, so the library's IP checks do not apply.
    validate: false,
  });
}
