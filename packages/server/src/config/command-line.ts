import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isPostgresUrl, maskUrlPasswordsInText } from '@openkms/core';
import {
  DEV_ACCESS_KEY_ID_PATTERN,
  DEV_DEFAULT_CREDENTIALS,
  DEV_DOMAIN_ID_PATTERN,
  DEV_PROJECT_ID_PATTERN,
  DEV_TOKEN_PATTERN,
} from '../dev/dev-credentials';
import { devModeOf, type DevMode, type DevModeFlags } from '../dev/dev-mode';
import { operations } from '../generated';
import { PACKAGE_VERSION } from '../package-version';
import { parseRateLimits, type RateLimits } from '../http/rate-limits';
import { DATA_DIR_FILES } from './data-dir';
import { DEFAULTS } from './defaults';
import { ENVIRONMENT_VARIABLES, environmentVariableOf, type Environment } from './environment';
import {
  ConfigError,
  LOG_FORMATS,
  LOG_LEVELS,
  resolveServerConfig,
  type KeyStoreConfigInput,
  type ServerConfig,
  type ServerConfigInput,
  type StoreSetting,
} from './server-config';

export function integer(min: number, max: number) {
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

/** A flag value that must match `pattern`; the message never repeats the value (it may be a token). */
function matching(pattern: RegExp, expected: string) {
  return (value: string): string => {
    if (!pattern.test(value)) throw new InvalidArgumentError(`expected ${expected}`);
    return value;
  };
}

/** Parses --store; the message never repeats the value, which may hold a password. */
function storeSetting(value: string): StoreSetting {
  if (value === 'sqlite' || value === 'memory' || isPostgresUrl(value)) return value;
  throw new InvalidArgumentError('expected sqlite, memory, or a postgres:// or postgresql:// URL');
}

/** Defaults --help shows in words: those derived from the data directory, and the rate limits' name for none. */
const DEFAULTS_IN_WORDS: Readonly<Record<string, string>> = {
  rootKeyFile: `<data-dir>/${DATA_DIR_FILES.rootKey}`,
  previousRootKeyFile: `<data-dir>/${DATA_DIR_FILES.previousRootKey}, if it exists`,
  tokenFile: `<data-dir>/${DATA_DIR_FILES.tokens}`,
  pidFile: `<data-dir>/${DATA_DIR_FILES.pidFile}`,
  rateLimits: 'off',
  // Dev mode's fixed credentials (src/dev/dev-credentials.ts).
  devToken: DEV_DEFAULT_CREDENTIALS.token,
  devProjectId: DEV_DEFAULT_CREDENTIALS.projectId,
  devDomainId: DEV_DEFAULT_CREDENTIALS.domainId,
  devAccessKey: DEV_DEFAULT_CREDENTIALS.accessKeyId,
  devSecretKey: DEV_DEFAULT_CREDENTIALS.secretKey,
  logFormat: 'pretty on a terminal, else json',
};

function defaultInWords(attribute: string): string | undefined {
  if (Object.hasOwn(DEFAULTS_IN_WORDS, attribute)) return DEFAULTS_IN_WORDS[attribute];
  if (!Object.hasOwn(DEFAULTS, attribute)) return undefined;
  const value: unknown = DEFAULTS[attribute as keyof typeof DEFAULTS];
  // A flag without a value is off unless given.
  return typeof value === 'boolean' ? undefined : JSON.stringify(value);
}

/** An option's help line: its description, then choices, default (from DEFAULTS) and environment variable. */
function describeSetting(option: Option): string {
  const attribute = option.attributeName();
  const shownDefault = defaultInWords(attribute);
  const variable = environmentVariableOf(attribute);
  const extra = [
    option.argChoices && `choices: ${option.argChoices.map((choice) => JSON.stringify(choice)).join(', ')}`,
    shownDefault !== undefined && `default: ${shownDefault}`,
    variable !== undefined && `env: ${variable}`,
  ].filter((part): part is string => typeof part === 'string');
  return extra.length === 0 ? option.description : `${option.description} (${extra.join(', ')})`;
}

/**
 * A usage error as one line on stderr: commander's message (its "Did you mean …?" suggestion
 * joined on), prefixed `error:` like commander's own, and a pointer to the command's help.
 */
export function usageErrorLine(text: string, commandName: string): string {
  const message = text.trim().replace(/\s*\n\s*/g, ' ');
  return `${message.startsWith('error:') ? message : `error: ${message}`} (see ${commandName} --help)\n`;
}

/**
 * A command whose options are settings: help shows defaults and variables, errors are one line
 * that masks URL passwords (commander quotes a rejected value, and a mistyped store URL may
 * carry one), and parsing throws a CommanderError instead of exiting.
 */
export function settingsCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureHelp({ optionDescription: describeSetting })
    .configureOutput({ outputError: (text, write) => write(usageErrorLine(maskUrlPasswordsInText(text), name)) });
}

/**
 * Parses `argv`, then takes each option not given as a flag from its environment variable:
 * flags win over the environment; what neither gives is left out, for the defaults. `T` is the
 * command's input type: an option that is not required is optional there.
 */
export function parseOptions<T extends object>(command: Command, argv: readonly string[], env: Environment, from: 'node' | 'user'): T {
  command.parse([...argv], { from });
  for (const option of command.options) {
    const attribute = option.attributeName();
    const variable = environmentVariableOf(attribute);
    const text = variable === undefined ? undefined : env[variable];
    if (variable === undefined || text === undefined || command.getOptionValueSource(attribute) === 'cli') continue;
    command.setOptionValueWithSource(attribute, environmentValue(command, option, variable, text), 'env');
  }
  return command.opts<T>();
}

function environmentValue(command: Command, option: Option, variable: string, text: string): unknown {
  // A flag without a value is on when its variable is set at all (as commander's own .env() does).
  if (!option.required && !option.optional) return true;
  if (!option.parseArg) return text;
  try {
    return option.parseArg(text, undefined);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    // Named, never quoted: a variable may hold a secret (a dev token), and stderr may be collected.
    return command.error(`error: option '${option.flags}' from env '${variable}' is invalid. ${error.message}`, {
      exitCode: error.exitCode,
      code: error.code,
    });
  }
}

/** Adds --data-dir to a command. */
export function addDataDirOption(command: Command, help = 'directory for the key store, root key file and token file'): Command {
  return command.addOption(new Option('--data-dir <dir>', help));
}

/** Adds --store to a command. */
export function addStoreOption(command: Command): Command {
  return command.addOption(
    new Option('--store <kind>', 'key store: sqlite, memory, or a postgres:// URL (postgres://user:password@host:5432/database)').argParser(
      storeSetting,
    ),
  );
}

/** Adds --data-dir, --store, --root-key-file and --previous-root-key-file to a command. */
export function addKeyStoreOptions(command: Command, rootKeyFileHelp: string): Command {
  return addStoreOption(addDataDirOption(command))
    .addOption(new Option('--root-key-file <file>', rootKeyFileHelp))
    .addOption(
      new Option('--previous-root-key-file <file>', 'the root key being retired by a rotation, held to open keys still wrapped under it'),
    );
}

/** The root keys given in the environment (never as flags: a command line is visible to every local user). */
export function rootKeysFrom(env: Environment): Pick<KeyStoreConfigInput, 'rootKey' | 'previousRootKey'> {
  return { rootKey: env[ENVIRONMENT_VARIABLES.rootKey], previousRootKey: env[ENVIRONMENT_VARIABLES.previousRootKey] };
}

export const ROOT_KEY_HELP =
  `\nThe root key may instead be given in ${ENVIRONMENT_VARIABLES.rootKey} (64 hex characters or base64 of 32 bytes),\n` +
  `and a root key being retired in ${ENVIRONMENT_VARIABLES.previousRootKey}; both are removed from the environment once read.`;

/** The operations the server serves, as their paths name them (create-key, …), from the generated route table. */
function operationNames(): string {
  return operations.map((operation) => operation.path.slice(operation.path.lastIndexOf('/') + 1)).join(', ');
}

/**
 * The `openkms-server` command line: each flag has an environment variable (ENVIRONMENT_VARIABLES).
 * --dev-secret-key has no parser: commander's message for a bad value quotes it, so its format is
 * checked with the other dev settings (dev/dev-mode.ts), in a message that never shows it.
 */
export function buildCommand(): Command {
  const command = settingsCommand('openkms-server', `OpenKMS reference server: the KMS v1.0 API (${operationNames()})`)
    .version(PACKAGE_VERSION, '-V, --version', 'print the version and exit')
    .addOption(new Option('--host <host>', 'address to listen on'))
    .addOption(new Option('--port <port>', 'TCP port (0 picks a free one)').argParser(integer(0, 65535)));
  return addKeyStoreOptions(command, 'root key file (64 hex characters); created with mode 0600 if missing')
    .addOption(new Option('--token-file <file>', 'token file; created with one development token if missing'))
    .addOption(
      new Option(
        '--pid-file <file>',
        "file of the serving process's ID (mode 0600), for openkms-server reload; a live one refuses a second server",
      ),
    )
    .addOption(new Option('--region <region>', 'region name used in alias URNs'))
    .addOption(new Option('--max-keys-per-project <n>', 'customer master keys a project may hold').argParser(integer(1, 1_000_000)))
    .addOption(new Option('--log-level <level>', 'pino log level').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'json (one object a line, for machines) or pretty (for people)').choices(LOG_FORMATS))
    .addOption(new Option('--metrics', 'serve GET /metrics in the Prometheus text format (no token; bind --host to a trusted network)'))
    .addOption(new Option('--validate-responses', 'validate every response against the spec (a mismatch becomes a 500)'))
    .addOption(
      new Option(
        '--rate-limits <limits>',
        'per-domain limits: off, service (create-datakey 1000/s, create-key 20/s), or e.g. createDatakey=3000/s,createKey=100/min',
      ).argParser(rateLimitsSetting),
    )
    .addOption(new Option('--headers-timeout-ms <ms>', 'time a client has to send the request headers').argParser(integer(1000, 600_000)))
    .addOption(new Option('--request-timeout-ms <ms>', 'time a client has to send the whole request').argParser(integer(1000, 600_000)))
    .addOption(new Option('--max-connections <n>', 'open connections beyond which new ones are refused').argParser(integer(1, 1_000_000)))
    .addOption(new Option('--workers <n>', 'processes serving the port (node:cluster); not with --store memory').argParser(integer(1, 64)))
    .addOption(
      new Option('--db-connect-timeout-ms <ms>', 'PostgreSQL: longest wait for a connection, pooled or new (then 503)').argParser(
        integer(100, 600_000),
      ),
    )
    .addOption(
      new Option('--db-query-timeout-ms <ms>', 'longest a store statement may run or wait for a lock (then 503)').argParser(
        integer(100, 3_600_000),
      ),
    )
    .addOption(
      new Option('--purge-interval-ms <ms>', 'how often keys past their scheduled deletion date are destroyed (also at start)').argParser(
        integer(1000, 86_400_000),
      ),
    )
    .addOption(
      new Option(
        '--rotation-check-interval-ms <ms>',
        'how often keys with automatic rotation enabled are rotated when their interval has passed (also at start)',
      ).argParser(integer(1000, 86_400_000)),
    )
    .addOption(
      new Option(
        '--dev-min-pending-days <days>',
        'LOCAL TESTING ONLY: let schedule-key-deletion take pending_days from this (1 to 7) instead of the API minimum of 7',
      ).argParser(integer(1, 7)),
    )
    .addOption(new Option('--dev', 'dev mode: NOT FOR PRODUCTION; memory store unless --data-dir, fixed credentials, a banner'))
    .addOption(
      new Option('--dev-token <token>', 'dev mode: the X-Auth-Token granted').argParser(
        matching(DEV_TOKEN_PATTERN, '8 to 512 printable ASCII characters without spaces'),
      ),
    )
    .addOption(
      new Option('--dev-project-id <id>', 'dev mode: the project granted').argParser(
        matching(DEV_PROJECT_ID_PATTERN, '1 to 64 letters, digits, _ or -'),
      ),
    )
    .addOption(
      new Option('--dev-domain-id <id>', "dev mode: the project's domain").argParser(
        matching(DEV_DOMAIN_ID_PATTERN, '32 lower-case hex characters'),
      ),
    )
    .addOption(
      new Option('--dev-access-key <ak>', 'dev mode: the access key ID (AK) granted, with --dev-secret-key').argParser(
        matching(DEV_ACCESS_KEY_ID_PATTERN, '20 upper-case letters and digits'),
      ),
    )
    .addOption(new Option('--dev-secret-key <sk>', 'dev mode: the secret key (SK, 40 letters and digits) of --dev-access-key'))
    .addOption(new Option('--seed <file>', 'dev mode: keys to create at start (YAML or JSON; README: Seed files)'))
    .addHelpText(
      'after',
      `${ROOT_KEY_HELP}\n\nMaintenance commands: openkms-server backup --help, openkms-server rewrap --help, openkms-server reload --help.\n` +
        'Credentials: openkms-server token --help, openkms-server access-key --help.',
    );
}

/**
 * The server's configuration from argv and the environment: flags, then OPENKMS_* variables,
 * then DEFAULTS. Throws a CommanderError (after commander printed why, or the help or version
 * it was asked for) on bad input: exit code 0 for --help and --version, 2 for bad usage.
 */
export function parseConfig(argv: readonly string[], env: Environment): ServerConfig {
  return parseServeCommandLine(argv, env).config;
}

/** parseConfig, plus dev mode's settings when --dev is given (src/dev/dev-mode.ts). */
export function parseServeCommandLine(argv: readonly string[], env: Environment): { config: ServerConfig; dev: DevMode | undefined } {
  const command = buildCommand();
  let options: ServerConfigInput & DevModeFlags;
  try {
    options = parseOptions<ServerConfigInput & DevModeFlags>(command, argv, env, 'node');
  } catch (error) {
    // commander exits 1 on an unknown option or a bad value; bad usage is 2, as the kit's.
    if (error instanceof CommanderError && error.exitCode !== 0) throw new CommanderError(2, error.code, error.message);
    throw error;
  }
  try {
    const { input, dev } = devModeOf({ ...options, ...rootKeysFrom(env) });
    return { config: resolveServerConfig(input), dev };
  } catch (error) {
    if (error instanceof ConfigError) command.error(error.message, { exitCode: 2 });
    throw error;
  }
}
