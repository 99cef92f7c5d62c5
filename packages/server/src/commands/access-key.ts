import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import pino from 'pino';
import { ACCESS_KEY_ID_PATTERN, type AccessKeySummary } from '@openkms/core';
import { appendMaintenanceRecord } from '../audit/audit-log';
import { readTokenFileEntries } from '../auth/token-file-writer';
import {
  addKeyStoreOptions,
  dataDirPaths,
  forgetRootKeys,
  resolveKeyStoreConfig,
  ROOT_KEY_HELP,
  rootKeysFrom,
  settingsCommand,
  type Environment,
  type KeyStoreConfig,
  type KeyStoreConfigInput,
} from '../config';
import { DEFAULT_ACCESS_KEY_CACHE_MS } from '../auth/stored-access-keys';
import { openAccessKeys, type OpenedAccessKeys } from '../runtime/access-key-store';
import { openStore, type CredentialAndKeyStore } from '../runtime/store';
import { chooseDomain } from './credential-domain';
import {
  addGrantOptions,
  alignedLines,
  commandFailed,
  outputOption,
  parseCredentialCommand,
  runSubcommand,
  table,
  type OutputFormat,
} from './credential-command';

const GROUP = 'openkms-server access-key';

interface StoreOptions extends KeyStoreConfigInput {
  readonly tokenFile?: string;
}

interface CreateOptions extends StoreOptions {
  readonly name: string;
  readonly project: string[];
  readonly domainId?: string;
  readonly output: OutputFormat;
}

interface ListOptions extends StoreOptions {
  readonly output: OutputFormat;
}

const STORE_NOTE =
  `\nAccess keys live in the key store (the same --store, --data-dir and root key as the server): every server\n` +
  `using that store sees a new or revoked key within ${DEFAULT_ACCESS_KEY_CACHE_MS / 1000} seconds, with no reload or restart.\n` +
  `The secret key is stored only wrapped under the root key.${ROOT_KEY_HELP}`;

function storeCommand(name: string, description: string) {
  return addKeyStoreOptions(settingsCommand(`${GROUP} ${name}`, description), 'root key file (created with the store if both are new)')
    .addOption(new Option('--token-file <file>', 'the token file, read to find a domain for new credentials'))
    .addHelpText('after', STORE_NOTE);
}

/** The key store settings, the root keys taken out of the environment once read. */
function keyStoreConfig(options: StoreOptions, env: Environment): KeyStoreConfig & { tokenFile: string } {
  const config = resolveKeyStoreConfig({ ...options, ...rootKeysFrom(env) });
  forgetRootKeys(env);
  return { ...config, tokenFile: resolve(options.tokenFile ?? dataDirPaths(config.dataDir).tokens) };
}

// Warnings (a failed idle PostgreSQL connection) go to stderr: stdout is the command's answer.
const warnings = () => pino({ level: 'warn' }, pino.destination(2));

/** Opens the store's access keys with the root keys, to create one (its SK is wrapped under the active root key). */
async function openForCreate(config: KeyStoreConfig): Promise<OpenedAccessKeys> {
  if (config.store === 'sqlite') mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openAccessKeys(config, warnings());
}

/** Opens an existing store without the root keys: listing and revoking read no secret, so an operator can revoke from anywhere. */
async function openExisting(config: KeyStoreConfig): Promise<CredentialAndKeyStore> {
  const sqlitePath = dataDirPaths(config.dataDir).keyStore;
  if (config.store === 'memory') throw new Error('--store memory holds no access keys outside a running server');
  if (config.store === 'sqlite' && !existsSync(sqlitePath)) throw new Error(`no key store at ${sqlitePath}; is --data-dir right?`);
  return openStore(config.store, config.dataDir, warnings());
}

function iso(epochMs: number | null): string {
  return epochMs === null ? '' : new Date(epochMs).toISOString();
}

function summaryJson(key: AccessKeySummary) {
  return {
    access_key_id: key.accessKeyId,
    name: key.name,
    domain_id: key.domainId,
    projects: key.projects,
    created_at: iso(key.createdAt),
    revoked_at: key.revokedAt === null ? null : iso(key.revokedAt),
  };
}

async function create(argv: readonly string[], env: Environment): Promise<number> {
  const command = addGrantOptions(storeCommand('create', 'create an access key (AK/SK) and print its secret key, once'), 'access key');
  const options = parseCredentialCommand<CreateOptions>(command, argv, env);
  if (typeof options === 'number') return options;
  const config = keyStoreConfig(options, env);
  let opened: OpenedAccessKeys | undefined;
  try {
    opened = await openForCreate(config);
    const projects = [...new Set(options.project)];
    const existing = [
      ...readTokenFileEntries(config.tokenFile).map((entry) => ({ domainId: entry.domain_id, projects: entry.projects })),
      ...(await opened.accessKeys.list()).filter((key) => key.revokedAt === null),
    ];
    const domain = options.domainId ? { domainId: options.domainId, reason: 'given' } : chooseDomain(projects, existing);
    const created = await opened.accessKeys.create({ name: options.name, domainId: domain.domainId, projects });
    appendMaintenanceRecord(dataDirPaths(config.dataDir).auditLog, {
      operation: 'access-key-create',
      outcome: 'success',
      access_key_id: created.accessKeyId,
      credential_name: created.name,
      domain_id: created.domainId,
      projects: created.projects,
    });
    if (options.output === 'json') {
      process.stdout.write(`${JSON.stringify({ ...summaryJson(created), secret_key: created.secretKey })}\n`);
    } else {
      process.stdout.write(
        alignedLines([
          ['access_key_id', created.accessKeyId],
          ['secret_key', created.secretKey],
          ['name', created.name],
          ['domain_id', created.domainId],
          ['projects', created.projects.join(',')],
          ['created_at', iso(created.createdAt)],
        ]),
      );
    }
    process.stderr.write(
      `The secret key is shown only this once (stored wrapped under the root key). Domain: ${domain.reason}.\n` +
        `Servers using this store accept the access key within ${DEFAULT_ACCESS_KEY_CACHE_MS / 1000} seconds; nothing to reload.\n`,
    );
    return 0;
  } catch (error) {
    return commandFailed(`${GROUP} create`, error);
  } finally {
    await opened?.close();
  }
}

async function list(argv: readonly string[], env: Environment): Promise<number> {
  const command = storeCommand('list', 'list the access keys, live and revoked (never a secret)').addOption(outputOption());
  const options = parseCredentialCommand<ListOptions>(command, argv, env);
  if (typeof options === 'number') return options;
  const config = keyStoreConfig(options, env);
  let store: CredentialAndKeyStore | undefined;
  try {
    store = await openExisting(config);
    const keys = await store.listAccessKeys();
    if (options.output === 'json') {
      process.stdout.write(`${JSON.stringify(keys.map(summaryJson))}\n`);
    } else {
      const rows = keys.map((key) => [
        key.accessKeyId,
        key.name,
        key.domainId,
        key.projects.join(','),
        iso(key.createdAt),
        iso(key.revokedAt) || '-',
      ]);
      process.stdout.write(table(['ACCESS_KEY_ID', 'NAME', 'DOMAIN_ID', 'PROJECTS', 'CREATED_AT', 'REVOKED_AT'], rows));
    }
    return 0;
  } catch (error) {
    return commandFailed(`${GROUP} list`, error);
  } finally {
    await store?.close();
  }
}

async function revoke(argv: readonly string[], env: Environment): Promise<number> {
  const command = storeCommand('revoke', 'revoke an access key: every server using the store refuses it within seconds').argument(
    '<access-key-id>',
    'the access key ID (AK) to revoke',
  );
  const options = parseCredentialCommand<StoreOptions>(command, argv, env);
  if (typeof options === 'number') return options;
  const accessKeyId = command.args[0]!;
  if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId)) {
    process.stderr.write(
      `error: ${JSON.stringify(accessKeyId)} is not an access key ID (20 upper-case letters and digits) (see ${GROUP} revoke --help)\n`,
    );
    return 2;
  }
  const config = keyStoreConfig(options, env);
  let store: CredentialAndKeyStore | undefined;
  try {
    store = await openExisting(config);
    if (!(await store.revokeAccessKey(accessKeyId, Date.now()))) {
      process.stderr.write(`${GROUP} revoke: no live access key ${accessKeyId} (unknown, or already revoked)\n`);
      return 1;
    }
    appendMaintenanceRecord(dataDirPaths(config.dataDir).auditLog, {
      operation: 'access-key-revoke',
      outcome: 'success',
      access_key_id: accessKeyId,
    });
    process.stdout.write(`revoked ${accessKeyId}\n`);
    process.stderr.write(`Servers using this store refuse it within ${DEFAULT_ACCESS_KEY_CACHE_MS / 1000} seconds; nothing to reload.\n`);
    return 0;
  } catch (error) {
    return commandFailed(`${GROUP} revoke`, error);
  } finally {
    await store?.close();
  }
}

/** `openkms-server access-key create|list|revoke`: access keys in the key store. Returns the exit code. */
export function runAccessKeyCommand(argv: readonly string[], env: Environment): Promise<number> {
  return runSubcommand(
    GROUP,
    {
      create: { summary: 'create an access key (AK/SK); prints the secret key once', run: (rest) => create(rest, env) },
      list: { summary: 'list access keys (never a secret)', run: (rest) => list(rest, env) },
      revoke: { summary: 'revoke an access key by its ID', run: (rest) => revoke(rest, env) },
    },
    argv,
  );
}
