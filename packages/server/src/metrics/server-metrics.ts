import cluster from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { KeyState, type KeyStore } from '@openkms/core';
import type { RequestState } from '../http/request-state';
import { clusterScrape, shareWithPrimary } from './cluster-metrics';

/** The operation label of a request that is no KMS operation: unknown paths and methods, /health, /docs, /metrics. */
export const UNKNOWN_OPERATION = 'unknown';

/** The store methods timed by name (the KeyStore interface's, fixed here so that labels stay bounded). */
const STORE_METHODS = [
  'insertKey',
  'findKeyById',
  'findKeyByAlias',
  'countKeys',
  'listKeys',
  'scanKeys',
  'replaceWrappedMaterial',
  'getMeta',
  'setMetaIfAbsent',
  'compareAndSetMeta',
] as const satisfies ReadonlyArray<keyof KeyStore>;

/**
 * Metrics of the process, not of one app: the audit trail reports its failures here, wherever
 * it fails. Served by every app with metrics on, beside its own.
 */
const processRegistry = new Registry();

/** Audit records that could not be written (the audit sink's error path increments it). */
export const auditWriteFailures = new Counter({
  name: 'openkms_audit_write_failures_total',
  help: 'Audit records that could not be written',
  registers: [processRegistry],
});

/** What a PostgreSQL store tells of its connection pool. */
interface PooledStore {
  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number };
}

const hasPool = (store: object): store is PooledStore => typeof (store as Partial<PooledStore>).poolStats === 'function';

/**
 * One server's Prometheus metrics (`--metrics`). Every label takes its values from a fixed set:
 * the spec's operationIds (or `unknown`), HTTP statuses the server writes, key states, store
 * method names. Never a key ID, project ID, token, path or anything else a caller chose.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #operations: ReadonlySet<string>;
  readonly #requests: Counter<'operation' | 'status'>;
  readonly #duration: Histogram<'operation'>;
  readonly #rateLimited: Counter<'operation'>;
  readonly #storeDuration: Histogram<'method' | 'outcome'>;
  /** In a cluster worker: scrapes answer with the whole cluster's metrics, which the primary sums. */
  readonly #clustered: boolean;

  /** `operationIds`: the spec's operations, the only values the operation label takes besides `unknown`. */
  constructor(operationIds: readonly string[], options: { readonly processMetrics?: boolean } = {}) {
    this.#operations = new Set(operationIds);
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'openkms_http_requests_total',
      help: 'HTTP requests answered, by operation (operationId, or unknown) and status',
      labelNames: ['operation', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'openkms_http_request_duration_seconds',
      help: 'Time from the request to its response closing, by operation',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'openkms_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit (429 KMS.0429), by operation',
      labelNames: ['operation'],
      registers,
    });
    this.#storeDuration = new Histogram({
      name: 'openkms_store_call_duration_seconds',
      help: 'Time of a key store call, by method and outcome (ok or error)',
      labelNames: ['method', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    // Node's process metrics (CPU, memory, event loop lag) under their usual names.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.#clustered = cluster.isWorker && process.send !== undefined;
    if (this.#clustered) shareWithPrimary([this.registry, processRegistry]);
  }

  /** The operation label for an operationId: itself when it is one of the spec's, else `unknown`. */
  operationLabel(operationId: string | undefined): string {
    return operationId !== undefined && this.#operations.has(operationId) ? operationId : UNKNOWN_OPERATION;
  }

  /** Counts a request whose response has closed (499: the client went away first). */
  observeRequest(req: IncomingMessage, res: ServerResponse, state: RequestState): void {
    const operation = this.operationLabel(state.operation?.operationId);
    const status = res.writableFinished && !req.readableAborted ? res.statusCode : 499;
    this.#requests.inc({ operation, status: String(status) });
    this.#duration.observe({ operation }, Number(process.hrtime.bigint() - state.startedAt) / 1e9);
    if (status === 429 && state.errorCode === 'KMS.0429') this.#rateLimited.inc({ operation });
  }

  /**
   * The store with each call timed, and gauges read from it on every scrape: keys by state
   * (one grouped count, when the store offers it) and, for PostgreSQL, the connection pool.
   */
  instrumentStore<T extends KeyStore>(store: T): T {
    const registers = [this.registry];
    if (store.countKeysByState) {
      const countByState = store.countKeysByState.bind(store);
      new Gauge({
        name: 'openkms_keys',
        help: 'Customer master keys in the store, by key state (1 waiting activation, 2 enabled, 3 disabled, 4 pending deletion, 5 pending import)',
        labelNames: ['state'],
        registers,
        // Every worker of a cluster reads the same store: one answer, not their sum.
        aggregator: 'first',
        async collect() {
          this.reset();
          // A store that does not answer leaves the gauge empty for this scrape (readiness says why).
          const counts = await countByState().catch(() => undefined);
          if (counts) for (const state of Object.values(KeyState)) this.set({ state }, counts[state] ?? 0);
        },
      });
    }
    if (hasPool(store)) {
      const pool = (read: (stats: ReturnType<PooledStore['poolStats']>) => number) =>
        function (this: Gauge) {
          this.set(read(store.poolStats()));
        };
      new Gauge({ name: 'openkms_store_pool_connections', help: 'PostgreSQL connections open', registers, collect: pool((s) => s.total) });
      new Gauge({
        name: 'openkms_store_pool_idle_connections',
        help: 'PostgreSQL connections open and idle',
        registers,
        collect: pool((s) => s.idle),
      });
      new Gauge({
        name: 'openkms_store_pool_waiting_requests',
        help: 'Store calls waiting for a PostgreSQL connection',
        registers,
        collect: pool((s) => s.waiting),
      });
    }
    const timed = new Map<string | symbol, unknown>();
    const histogram = this.#storeDuration;
    return new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        // Any other method (access keys, say) runs on the store itself: its private fields are not the proxy's.
        if (!(STORE_METHODS as readonly (string | symbol)[]).includes(property))
          return (value as (...a: unknown[]) => unknown).bind(target);
        let wrapper = timed.get(property);
        if (!wrapper) {
          const method = String(property);
          wrapper = async (...args: unknown[]) => {
            const end = histogram.startTimer({ method });
            try {
              const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              end({ outcome: 'ok' });
              return result;
            } catch (error) {
              end({ outcome: 'error' });
              throw error;
            }
          };
          timed.set(property, wrapper);
        }
        return wrapper;
      },
    });
  }

  /** The Prometheus text exposition: this server's metrics and the process's (in a cluster, every worker's, summed). */
  async render(): Promise<{ readonly contentType: string; readonly text: string }> {
    if (this.#clustered) return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, text: await clusterScrape() };
    const merged = Registry.merge([this.registry, processRegistry]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }
}
