/**
 * Every default of the server and its commands, in one place (read by resolveServerConfig and
 * shown by --help). Paths inside the data directory default to the names in data-dir.ts.
 */
export const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  dataDir: '.openkms',
  store: 'sqlite',
  region: 'local-1',
  maxKeysPerProject: 1000,
  logLevel: 'info',
  /** GET /metrics: off unless asked for. */
  metrics: false,
  validateResponses: false,
  /** No limits (`--rate-limits off`), for local development. */
  rateLimits: Object.freeze({}),
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
  workers: 1,
  /** The key store's database: longest wait for a connection (pooled or new), then 503. */
  dbConnectTimeoutMs: 5_000,
  /** The key store's database: longest a statement may run or wait for a lock, then 503. */
  dbQueryTimeoutMs: 10_000,
  /** How often keys whose deletion date has passed are purged (also once at start). */
  purgeIntervalMs: 60_000,
  /** How often keys whose automatic rotation interval has passed are rotated (also once at start). */
  rotationCheckIntervalMs: 60_000,
  /** `rewrap`: keys read and re-wrapped per batch. */
  batchSize: 200,
});
