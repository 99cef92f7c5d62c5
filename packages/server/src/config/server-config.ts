import { resolve } from 'node:path';
import type { PostgresUrl } from '@openkms/core';
import type { RateLimits } from '../http/rate-limits';
import { dataDirPaths } from './data-dir';
import { DEFAULTS } from './defaults';

/** Where keys are kept: `sqlite` (a file in the data dir), `memory`, or a PostgreSQL URL. */
export type StoreSetting = 'sqlite' | 'memory' | PostgresUrl;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object a line (for machines); `pretty`: coloured lines for people (pino-pretty). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What the process is attached to, for defaults that depend on it. Tests inject it. */
export interface ConfigContext {
  /** Whether standard output is a terminal (pretty logs by default then). */
  readonly stdoutIsTTY: boolean;
}

/**
 * What a caller sets: the command line (flags, then environment) or code (tests, the test
 * launcher). Anything left out takes its default in resolveServerConfig.
 */
export interface ServerConfigInput {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly dataDir?: string;
  readonly store?: StoreSetting;
  /** Root key given directly (hex or base64); wins over rootKeyFile. */
  readonly rootKey?: string;
  /** Default: `<dataDir>/root.key`. */
  readonly rootKeyFile?: string;
  /** A root key being retired, given directly (hex or base64); wins over previousRootKeyFile. */
  readonly previousRootKey?: string;
  /** A file named here must exist; the default (`<dataDir>/root.key.previous`) is read only if it does. */
  readonly previousRootKeyFile?: string;
  /** Default: `<dataDir>/tokens.json`. */
  readonly tokenFile?: string;
  /** Where the serving process writes its ID (the command only, not an in-process start). Default: `<dataDir>/openkms.pid`. */
  readonly pidFile?: string;
  readonly region?: string;
  readonly maxKeysPerProject?: number;
  readonly logLevel?: LogLevel;
  /** Default: pretty when standard output is a terminal, json otherwise. */
  readonly logFormat?: LogFormat;
  /** Serve GET /metrics (Prometheus text format). */
  readonly metrics?: boolean;
  readonly validateResponses?: boolean;
  /** Per-operation, per-domain request limits. */
  readonly rateLimits?: RateLimits;
  /** Time a client has to send the request headers. */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send the whole request. */
  readonly requestTimeoutMs?: number;
  /** Open connections beyond which new ones are refused. */
  readonly maxConnections?: number;
  /** Processes serving one port (node:cluster); 1 runs no cluster. */
  readonly workers?: number;
  /** PostgreSQL: longest wait for a connection, pooled or new. */
  readonly dbConnectTimeoutMs?: number;
  /** Longest a store statement may run (PostgreSQL) or wait for a lock (PostgreSQL, SQLite). */
  readonly dbQueryTimeoutMs?: number;
  /** How often keys past their deletion date are purged. */
  readonly purgeIntervalMs?: number;
  /** How often keys due for automatic rotation are rotated. */
  readonly rotationCheckIntervalMs?: number;
  /** Local testing only: the fewest pending_days schedule-key-deletion takes (1 to 7); the API's 7 when absent. */
  readonly devMinPendingDays?: number;
}

/** Everything the server needs to start, every field decided: defaults applied, paths absolute. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly store: StoreSetting;
  /** Root key given directly (hex or base64); wins over rootKeyFile. */
  readonly rootKey: string | undefined;
  readonly rootKeyFile: string;
  /** A root key being retired, given directly (hex or base64); wins over previousRootKeyFile. */
  readonly previousRootKey: string | undefined;
  /** The retiring root key's file; `required` when named explicitly (the default path is read only if it exists). */
  readonly previousRootKeyFile: { readonly path: string; readonly required: boolean };
  readonly tokenFile: string;
  /** The serving process's ID, written once it listens (commands/serve.ts, runtime/pid-file.ts). */
  readonly pidFile: string;
  readonly region: string;
  readonly maxKeysPerProject: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly metrics: boolean;
  readonly validateResponses: boolean;
  /** Per-operation, per-domain request limits (empty: none). */
  readonly rateLimits: RateLimits;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  readonly workers: number;
  readonly dbConnectTimeoutMs: number;
  readonly dbQueryTimeoutMs: number;
  readonly purgeIntervalMs: number;
  readonly rotationCheckIntervalMs: number;
  /** Local testing only (off: undefined, the API's minimum of 7 days). */
  readonly devMinPendingDays: number | undefined;
}

/** Where the keys are and what protects them: the settings the server and its maintenance commands share. */
type KeyStoreSetting = 'dataDir' | 'store' | 'rootKey' | 'rootKeyFile' | 'previousRootKey' | 'previousRootKeyFile';
export type KeyStoreConfigInput = Pick<ServerConfigInput, KeyStoreSetting>;
export type KeyStoreConfig = Pick<ServerConfig, KeyStoreSetting>;

/** A setting that contradicts another; the command line reports it as a usage error. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The data directory, absolute. */
export function resolveDataDir(dataDir: string | undefined): string {
  return resolve(dataDir ?? DEFAULTS.dataDir);
}

export function resolveKeyStoreConfig(input: KeyStoreConfigInput): KeyStoreConfig {
  const dataDir = resolveDataDir(input.dataDir);
  const files = dataDirPaths(dataDir);
  return {
    dataDir,
    store: input.store ?? DEFAULTS.store,
    rootKey: input.rootKey,
    rootKeyFile: resolve(input.rootKeyFile ?? files.rootKey),
    previousRootKey: input.previousRootKey,
    previousRootKeyFile: {
      path: resolve(input.previousRootKeyFile ?? files.previousRootKey),
      required: input.previousRootKeyFile !== undefined,
    },
  };
}

/** Applies the defaults (the only place that does) and checks the settings against each other. */
export function resolveServerConfig(
  input: ServerConfigInput,
  context: ConfigContext = { stdoutIsTTY: process.stdout.isTTY === true },
): ServerConfig {
  const keyStore = resolveKeyStoreConfig(input);
  const config: ServerConfig = {
    host: input.host ?? DEFAULTS.host,
    port: input.port ?? DEFAULTS.port,
    ...keyStore,
    tokenFile: resolve(input.tokenFile ?? dataDirPaths(keyStore.dataDir).tokens),
    pidFile: resolve(input.pidFile ?? dataDirPaths(keyStore.dataDir).pidFile),
    region: input.region ?? DEFAULTS.region,
    maxKeysPerProject: input.maxKeysPerProject ?? DEFAULTS.maxKeysPerProject,
    logLevel: input.logLevel ?? DEFAULTS.logLevel,
    logFormat: input.logFormat ?? (context.stdoutIsTTY ? 'pretty' : 'json'),
    metrics: input.metrics ?? DEFAULTS.metrics,
    validateResponses: input.validateResponses ?? DEFAULTS.validateResponses,
    rateLimits: input.rateLimits ?? DEFAULTS.rateLimits,
    headersTimeoutMs: input.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: input.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    maxConnections: input.maxConnections ?? DEFAULTS.maxConnections,
    workers: input.workers ?? DEFAULTS.workers,
    dbConnectTimeoutMs: input.dbConnectTimeoutMs ?? DEFAULTS.dbConnectTimeoutMs,
    dbQueryTimeoutMs: input.dbQueryTimeoutMs ?? DEFAULTS.dbQueryTimeoutMs,
    purgeIntervalMs: input.purgeIntervalMs ?? DEFAULTS.purgeIntervalMs,
    rotationCheckIntervalMs: input.rotationCheckIntervalMs ?? DEFAULTS.rotationCheckIntervalMs,
    devMinPendingDays: input.devMinPendingDays,
  };
  if (config.workers > 1 && config.store === 'memory') {
    throw new ConfigError('--workers > 1 needs a shared store (sqlite or postgres): each worker would have its own memory store');
  }
  if (config.maxConnections < config.workers) {
    // The limit is the instance's, split evenly among the workers: each needs at least one.
    throw new ConfigError(
      `--max-connections (${config.maxConnections}) is the whole instance's limit: it must be at least --workers (${config.workers})`,
    );
  }
  return config;
}
