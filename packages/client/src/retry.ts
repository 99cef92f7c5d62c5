/**
 * Retries for the statuses the service tells clients to retry: 429 (throttled) and
 * 500/502/503/504. Exponential backoff with full jitter, honouring `Retry-After`.
 * Nothing else is retried: a 4xx other than 429 will fail the same way again.
 */
export interface RetryOptions {
  /** Tries in all, the first included (the service's guide recommends 3 to 5). Default 4. */
  readonly maxAttempts?: number;
  /** Backoff cap before jitter for the first retry, doubled for each next one. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Upper bound of any one wait, `Retry-After` included. Default 10 000 ms. */
  readonly maxDelayMs?: number;
}

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 10_000 };
export const NO_RETRY: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return NO_RETRY;
  const policy = { ...DEFAULT_RETRY, ...stripUndefined(options ?? {}) };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 10) {
    throw new RangeError('retry.maxAttempts must be an integer from 1 to 10');
  }
  for (const name of ['baseDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(policy[name]) || policy[name] < 0) throw new RangeError(`retry.${name} must be a non-negative number`);
  }
  return policy;
}

/**
 * How long to wait before retry number `retry` (1 for the first retry): `Retry-After` when
 * the server sent one, otherwise a uniform draw from [0, min(maxDelay, base * 2^(retry-1))].
 * Always within [0, maxDelayMs].
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, retryAfter: string | null, random: () => number, now: number): number {
  const fromServer = retryAfter === null ? undefined : parseRetryAfterMs(retryAfter, now);
  if (fromServer !== undefined) return Math.min(fromServer, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when unreadable. */
export function parseRetryAfterMs(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return undefined;
  return Math.max(0, date - now);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
