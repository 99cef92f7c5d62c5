import { Command, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { isPostgresUrl, maskUrlPasswordsInText, type PostgresUrl } from '@openkms/core';
import { parseRateLimits, type RateLimits } from './http/rate-limits';

/** Where keys are kept: `sqlite` (a file in the data dir), `memory`, or a PostgreSQL URL. */
export type StoreSetting = 'sqlite' | 'memory' | PostgresUrl;

/** Everything the server needs to start, after flags and environment are resolved. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly store: StoreSetting;
  /** Root key given directly (hex or base64); wins over rootKeyFile. */
  readonly rootKey: string | undefined;
  readonly rootKeyFile: string;
  readonly tokenFile: string;
  readonly region: string;
  readonly maxKeysPerProject: number;
  readonly logLevel: string;
  readonly validateResponses: boolean;
  /** Per-operation, per-domain request limits (default: none). */
  readonly rateLimits?: RateLimits;
  /** Time a client has to send the request headers (default 10 s). */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send the whole request (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Open connections beyond which new ones are refused (default 1024). */
  readonly maxConnections?: number;
  /** Processes serving one port (node:cluster); 1 (the default) runs no cluster. */
  readonly workers?: number;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^[0-9]+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return parsed;
  };
}

function rateLimitsSetting(value: string): RateLimits {
  try {
    return parseRateLimits(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Parses --store; the message never repeats the value, which may hold a password. */
function storeSetting(value: string): StoreSetting {
  if (value === 'sqlite' || value === 'memory' || isPostgresUrl(value)) return value;
  throw new InvalidArgumentError('expected sqlite, memory, or a postgres:// or postgresql:// URL');
}

/**
 * The command line. Each flag has an environment variable; flags win over the environment,
 * which wins over defaults.
 */
export function buildCommand(): Command {
  return new Command('openkms-server')
    .description('OpenKMS reference server: the KMS v1.0 API (create-key, create-datakey)')
    .addOption(new Option('--host <host>', 'address to listen on').env('OPENKMS_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'TCP port (0 picks a free one)').env('OPENKMS_PORT').default(8080).argParser(integer(0, 65535)))
    .addOption(new Option('--data-dir <dir>', 'directory for the key store, root key file and token file').env('OPENKMS_DATA_DIR').default('.openkms'))
    .addOption(
      new Option('--store <kind>', 'key store: sqlite, memory, or a postgres:// URL (postgres://user:password@host:5432/database)')
        .env('OPENKMS_STORE')
        .default('sqlite')
        .argParser(storeSetting),
    )
    .addOption(
      new Option('--root-key-file <file>', 'root key file (64 hex characters); created with mode 0600 if missing [default: <data-dir>/root.key]').env(
        'OPENKMS_ROOT_KEY_FILE',
      ),
    )
    .addOption(
      new Option('--token-file <file>', 'token file; created with one development token if missing [default: <data-dir>/tokens.json]').env(
        'OPENKMS_TOKEN_FILE',
      ),
    )
    .addOption(new Option('--region <region>', 'region name used in alias URNs').env('OPENKMS_REGION').default('local-1'))
    .addOption(
      new Option('--max-keys-per-project <n>', 'customer master keys a project may hold')
        .env('OPENKMS_MAX_KEYS_PER_PROJECT')
        .default(1000)
        .argParser(integer(1, 1_000_000)),
    )
    .addOption(
      new Option('--log-level <level>', 'pino log level')
        .env('OPENKMS_LOG_LEVEL')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .addOption(new Option('--validate-responses', 'validate every response against the spec (a mismatch becomes a 500)').env('OPENKMS_VALIDATE_RESPONSES'))
    .addOption(
      new Option('--rate-limits <limits>', 'per-domain limits: off, service (create-datakey 1000/s, create-key 20/s), or e.g. createDatakey=3000/s,createKey=100/min')
        .env('OPENKMS_RATE_LIMITS')
        .default('off')
        .argParser(rateLimitsSetting),
    )
    .addOption(new Option('--headers-timeout-ms <ms>', 'time a client has to send the request headers').env('OPENKMS_HEADERS_TIMEOUT_MS').default(10_000).argParser(integer(1000, 600_000)))
    .addOption(new Option('--request-timeout-ms <ms>', 'time a client has to send the whole request').env('OPENKMS_REQUEST_TIMEOUT_MS').default(30_000).argParser(integer(1000, 600_000)))
    .addOption(new Option('--max-connections <n>', 'open connections beyond which new ones are refused').env('OPENKMS_MAX_CONNECTIONS').default(1024).argParser(integer(1, 1_000_000)))
    .addOption(new Option('--workers <n>', 'processes serving the port (node:cluster); not with --store memory').env('OPENKMS_WORKERS').default(1).argParser(integer(1, 64)))
    .addHelpText(
      'after',
      '\nThe root key may instead be given in OPENKMS_ROOT_KEY (64 hex characters or base64 of 32 bytes);\n' +
        'it is removed from the environment once read.',
    )
    .showHelpAfterError()
    // commander quotes a rejected value in its message; a mistyped store URL may carry a password.
    .configureOutput({ outputError: (text, write) => write(maskUrlPasswordsInText(text)) });
}

/**
 * Resolves a ServerConfig from argv and process.env (commander reads the OPENKMS_* variables
 * itself). Throws (via commander) on bad input.
 */
export function parseConfig(argv: readonly string[]): ServerConfig {
  const command = buildCommand();
  command.exitOverride();
  command.parse([...argv], { from: 'node' });
  const options = command.opts<{
    host: string;
    port: number;
    dataDir: string;
    store: StoreSetting;
    rootKeyFile?: string;
    tokenFile?: string;
    region: string;
    maxKeysPerProject: number;
    logLevel: string;
    validateResponses?: boolean;
    rateLimits: string | RateLimits;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    maxConnections: number;
    workers: number;
  }>();
  if (options.workers > 1 && options.store === 'memory') {
    command.error('--workers > 1 needs a shared store (sqlite or postgres): each worker would have its own memory store', { exitCode: 2 });
  }
  const dataDir = resolve(options.dataDir);
  return {
    host: options.host,
    port: options.port,
    dataDir,
    store: options.store,
    rootKey: process.env.OPENKMS_ROOT_KEY,
    rootKeyFile: resolve(options.rootKeyFile ?? join(dataDir, 'root.key')),
    tokenFile: resolve(options.tokenFile ?? join(dataDir, 'tokens.json')),
    region: options.region,
    maxKeysPerProject: options.maxKeysPerProject,
    logLevel: options.logLevel,
    validateResponses: options.validateResponses === true,
    // commander does not run the parser on the default value.
    rateLimits: typeof options.rateLimits === 'string' ? parseRateLimits(options.rateLimits) : options.rateLimits,
    headersTimeoutMs: options.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    maxConnections: options.maxConnections,
    workers: options.workers,
  };
}
