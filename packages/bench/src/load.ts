import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** A fresh body per request (unique aliases, varying keys). */
  readonly body: () => string;
  /** Instead of body(): the next request's body with headers of its own (a signature made for that body). */
  readonly nextRequest?: () => BodyWithHeaders;
  readonly connections: number;
  readonly durationSeconds: number;
  /** A fixed total request rate (steady load) instead of as fast as possible. */
  readonly overallRate?: number;
}

export interface BodyWithHeaders {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The body and headers of one request: the fixed headers, then the request's own. */
function requestParts(options: Pick<LoadOptions, 'headers' | 'body' | 'nextRequest'>): BodyWithHeaders {
  const own = options.nextRequest?.();
  return own ? { body: own.body, headers: { ...options.headers, ...own.headers } } : { body: options.body(), headers: options.headers };
}

export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly requests: number;
}

/**
 * One autocannon run. A run with any error, timeout or non-2xx answer is not a measurement
 * of the operation, so it throws instead of reporting numbers.
 */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'Content-Type': 'application/json', ...options.headers },
        setupRequest: (request) => {
          const { body, headers } = requestParts(options);
          return { ...request, body, headers: { ...request.headers, ...headers } };
        },
      },
    ],
  });
  if (result.requests.total === 0) {
    const why = 'the machine is too busy or the server hangs';
    throw new Error(`load on ${options.path}: no request completed in ${options.durationSeconds} s (${why})`);
  }
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    const failures = `${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`;
    throw new Error(`load on ${options.path} was not clean: ${failures} of ${result.requests.total}`);
  }
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    requests: result.requests.total,
  };
}

/**
 * A few sequential requests before a measurement, so a freshly started process has compiled its
 * hot paths (and the validator its schemas) before the clock runs.
 */
export async function warmUp(
  options: Pick<LoadOptions, 'url' | 'path' | 'headers' | 'body' | 'nextRequest'>,
  count: number,
): Promise<void> {
  for (let n = 0; n < count; n++) {
    const { body, headers } = requestParts(options);
    const res = await fetch(`${options.url}${options.path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    if (!res.ok) throw new Error(`warm-up request to ${options.path} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
}
