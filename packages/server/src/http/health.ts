import { Router } from 'express';
import type { Logger } from 'pino';
import { KmsError, maskUrlPasswordsInText, storeUnavailableReason } from '@openkms/core';
import { sendKmsError } from './error-mapper';

export interface HealthOptions {
  readonly logger: Logger;
  /** Whether the server accepts requests (false once it is shutting down). */
  readonly isAccepting: () => boolean;
  /** Resolves when the key store answers a query; rejects (or hangs) when it does not. None: always reachable. */
  readonly probeStore?: () => Promise<unknown>;
  /** How long a probe's answer is reused, so that frequent checks do not load the database. */
  readonly cacheMs?: number;
  /** A probe not answered within this counts as unreachable (the store's own timeouts are longer). */
  readonly probeTimeoutMs?: number;
  readonly now?: () => number;
}

export const HEALTH_DEFAULTS = Object.freeze({ cacheMs: 1_000, probeTimeoutMs: 2_000 });

/**
 * The health endpoints, without a token:
 * - `/health/live`: 200 while the process runs (a liveness check: restart only if it fails);
 * - `/health/ready`: 200 when requests can be served now: accepting, and the key store answers;
 *   else 503 (a readiness check: send no traffic meanwhile);
 * - `/health`: as before readiness existed, 200 while accepting requests, 503 while shutting down.
 */
export function healthRoutes(options: HealthOptions): Router {
  const storeReachable = cachedStoreProbe(options);
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    if (!options.isAccepting()) return void res.status(503).json({ status: 'unavailable' });
    const reachable = await storeReachable();
    const store = reachable ? 'ok' : 'unavailable';
    res.status(reachable ? 200 : 503).json({ status: store, store });
  });
  router.get('/health', (_req, res) => {
    const accepting = options.isAccepting();
    res.status(accepting ? 200 : 503).json({ status: accepting ? 'ok' : 'unavailable' });
  });
  // Any other method (OPTIONS included, which Express would otherwise answer 200 itself) is 405, as on an operation's path.
  router.all(['/health', '/health/live', '/health/ready'], (req, res) =>
    sendKmsError(res, new KmsError('KMS.0215', `Method ${req.method} is not supported on this path.`), { Allow: 'GET, HEAD' }),
  );
  return router;
}

/** Whether the store answers, asked at most once per cacheMs (concurrent callers share one probe); logs each change. */
function cachedStoreProbe(options: HealthOptions): () => Promise<boolean> {
  const { logger, probeStore } = options;
  const cacheMs = options.cacheMs ?? HEALTH_DEFAULTS.cacheMs;
  const probeTimeoutMs = options.probeTimeoutMs ?? HEALTH_DEFAULTS.probeTimeoutMs;
  const now = options.now ?? Date.now;
  let last: { at: number; reachable: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;

  const probe = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${probeTimeoutMs} ms`)), probeTimeoutMs);
    });
    let reachable: boolean;
    try {
      await Promise.race([probeStore!(), timedOut]);
      reachable = true;
      if (last?.reachable === false) logger.info('readiness: the key store answers again');
    } catch (error) {
      reachable = false;
      if (last?.reachable !== false) {
        const reason = storeUnavailableReason(error) ?? maskUrlPasswordsInText(String((error as Error)?.message ?? error));
        logger.warn({ store_error: reason }, 'readiness: the key store does not answer');
      }
    } finally {
      clearTimeout(timer);
    }
    last = { at: now(), reachable };
    return reachable;
  };

  return async () => {
    if (!probeStore) return true;
    if (last && now() - last.at < cacheMs) return last.reachable;
    inFlight ??= probe().finally(() => (inFlight = undefined));
    return inFlight;
  };
}
