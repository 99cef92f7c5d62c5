import { Command, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { isPostgresUrl, maskUrlPasswordsInText, type PostgresUrl } from '@openkms/core';

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
  }>();
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
  };
}
