import { Command, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { isPostgresUrl, maskUrlPasswordsInText, type PostgresUrl } from '@openkms/core';
import { parseRateLimits, type RateLimits } from '../http/rate-limits';

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
  /** A root key being retired, given directly (hex or base64); wins over previousRootKeyFile. */
  readonly previousRootKey?: string;
  /** The retiring root key's file; `required` when named explicitly (the default path is read only if it exists). */
  readonly previousRootKeyFile?: { readonly path: string; readonly required: boolean };
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

/** Where the keys are and what protects them: the options the server and its maintenance commands share. */
export type KeyStoreConfig = Pick<ServerConfig, 'dataDir' | 'store' | 'rootKey' | 'rootKeyFile' | 'previousRootKey' | 'previousRootKeyFile'>;

/** Adds --data-dir, --store, --root-key-file and --previous-root-key-file (with their variables) to a command. */
export function addKeyStoreOptions(command: Command, rootKeyFileHelp: string): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'directory for the key store, root key file and token file').env('OPENKMS_DATA_DIR').default('.openkms'))
    .addOption(
      new Option('--store <kind>', 'key store: sqlite, memory, or a postgres:// URL (postgres://user:password@host:5432/database)')
        .env('OPENKMS_STORE')
        .default('sqlite')
        .argParser(storeSetting),
    )
    .addOption(new Option('--root-key-file <file>', `${rootKeyFileHelp} [default: <data-dir>/root.key]`).env('OPENKMS_ROOT_KEY_FILE'))
    .addOption(
      new Option(
        '--previous-root-key-file <file>',
        'the root key being retired by a rotation, held to open keys still wrapped under it [default: <data-dir>/root.key.previous, if it exists]',
      ).env('OPENKMS_PREVIOUS_ROOT_KEY_FILE'),
    );
}

/** Resolves the options addKeyStoreOptions added (and OPENKMS_ROOT_KEY / OPENKMS_PREVIOUS_ROOT_KEY) to absolute paths and values. */
export function resolveKeyStoreConfig(options: { dataDir: string; store: StoreSetting; rootKeyFile?: string; previousRootKeyFile?: string }): KeyStoreConfig {
  const dataDir = resolve(options.dataDir);
  return {
    dataDir,
    store: options.store,
    rootKey: process.env.OPENKMS_ROOT_KEY,
    rootKeyFile: resolve(options.rootKeyFile ?? join(dataDir, 'root.key')),
    previousRootKey: process.env.OPENKMS_PREVIOUS_ROOT_KEY,
    previousRootKeyFile: {
      path: resolve(options.previousRootKeyFile ?? join(dataDir, 'root.key.previous')),
      required: options.previousRootKeyFile !== undefined,
    },
  };
}

export const ROOT_KEY_HELP =
  '\nThe root key may instead be given in OPENKMS_ROOT_KEY (64 hex characters or base64 of 32 bytes),\n' +
  'and a root key being retired in OPENKMS_PREVIOUS_ROOT_KEY; both are removed from the environment once read.';

/**
 * The command line. Each flag has an environment variable; flags win over the environment,
 * which wins over defaults.
 */
export function buildCommand(): Command {
  const command = new Command('openkms-server')
    .description('OpenKMS reference server: the KMS v1.0 API (create-key, create-datakey)')
    .addOption(new Option('--host <host>', 'address to listen on').env('OPENKMS_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'TCP port (0 picks a free one)').env('OPENKMS_PORT').default(8080).argParser(integer(0, 65535)));
  return addKeyStoreOptions(command, 'root key file (64 hex characters); created with mode 0600 if missing')
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
    .addHelpText('after', `${ROOT_KEY_HELP}\n\nMaintenance commands: openkms-server backup --help, openkms-server rewrap --help.`)
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
    previousRootKeyFile?: string;
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
  const keyStore = resolveKeyStoreConfig(options);
  const dataDir = keyStore.dataDir;
  return {
    host: options.host,
    port: options.port,
    ...keyStore,
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
