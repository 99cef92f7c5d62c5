import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

const REQUEST = 'openkms:metrics-request';
const RESPONSE = 'openkms:metrics-response';
/** Longer than prom-client's own wait for the workers (5 s), so its error arrives first. */
const WAIT_MS = 8_000;

interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: string;
}
interface MetricsResponse {
  readonly type: typeof RESPONSE;
  readonly id: string;
  readonly text?: string;
  readonly error?: string;
}

/**
 * `--workers N --metrics`, in the primary: a scrape reaches one worker (node:cluster hands the
 * connection to any), which asks the primary; the primary asks every worker for its metrics
 * (prom-client's AggregatorRegistry) and answers with their sum (gauges read from the shared
 * store are taken from one worker, not summed).
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if ((message as Partial<MetricsRequest> | null)?.type !== REQUEST) return;
    const { id } = message as MetricsRequest;
    const reply = (fields: Pick<MetricsResponse, 'text' | 'error'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id, ...fields } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: (error as Error)?.message ?? String(error) }),
    );
  });
}

/** In a worker: the metrics it answers the primary with (prom-client listens for the primary's requests). */
export function shareWithPrimary(registries: readonly Registry[]): void {
  AggregatorRegistry.setRegistries([...registries]);
  // prom-client starts answering the primary once an aggregator exists in the process.
  new AggregatorRegistry();
}

/** In a worker: the whole cluster's metrics, from the primary. */
export function clusterScrape(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      process.off('message', onMessage);
      settle();
    };
    const onMessage = (message: unknown) => {
      const response = message as Partial<MetricsResponse> | null;
      if (response?.type !== RESPONSE || response.id !== id) return;
      done(() => (response.text !== undefined ? resolve(response.text) : reject(new Error(`cluster metrics: ${response.error}`))));
    };
    const timer = setTimeout(() => done(() => reject(new Error('cluster metrics: the primary did not answer'))), WAIT_MS);
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}
