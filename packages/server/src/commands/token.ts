import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { appendMaintenanceRecord } from '../audit/audit-log';
import { generateToken, readTokenFileEntries, tokenEntry, withTokenFileLock, writeTokenFileEntries } from '../auth/token-file-writer';
import pino from 'pino';
import {
  addDataDirOption,
  addStoreOption,
  dataDirPaths,
  DEFAULTS,
  resolveDataDir,
  settingsCommand,
  type Environment,
  type StoreSetting,
} from '../config';
import { openStore } from '../runtime/store';
import { chooseDomain } from './credential-domain';
import {
  addGrantOptions,
  alignedLines,
  commandFailed,
  credentialName,
  outputOption,
  parseCredentialCommand,
  runSubcommand,
  table,
  type OutputFormat,
} from './credential-command';

const GROUP = 'openkms-server token';

interface FileOptions {
  readonly dataDir?: string;
  readonly tokenFile?: string;
  readonly store?: StoreSetting;
}

interface CreateOptions extends FileOptions {
  readonly name: string;
  readonly project: string[];
  readonly domainId?: string;
  readonly output: OutputFormat;
}

const RELOAD_HINT =
  'A running server reads the token file at start and on SIGHUP: kill -HUP <its pid> (or restart it). ' +
  'Access keys need no reload: servers read them from the store.';

function fileCommand(name: string, description: string) {
  return addDataDirOption(settingsCommand(`${GROUP} ${name}`, description), 'the server data directory').addOption(
    new Option('--token-file <file>', 'the token file (holds only SHA-256 hashes of tokens)'),
  );
}

/**
 * The live access keys' grants, so a new token joins their domain: read from the key store when
 * there is one (no root key needed, secrets are not read); none otherwise.
 */
async function accessKeyGrants(options: FileOptions): Promise<{ domainId: string; projects: readonly string[] }[]> {
  const dataDir = resolveDataDir(options.dataDir);
  const setting: StoreSetting = options.store ?? DEFAULTS.store;
  if (setting === 'memory' || (setting === 'sqlite' && !existsSync(dataDirPaths(dataDir).keyStore))) return [];
  const store = await openStore(setting, dataDir, pino({ level: 'warn' }, pino.destination(2)));
  try {
    return (await store.listAccessKeys()).filter((key) => key.revokedAt === null);
  } finally {
    await store.close();
  }
}

function paths(options: FileOptions): { tokenFile: string; auditLog: string } {
  const dataDir = resolveDataDir(options.dataDir);
  return { tokenFile: resolve(options.tokenFile ?? dataDirPaths(dataDir).tokens), auditLog: dataDirPaths(dataDir).auditLog };
}

async function create(argv: readonly string[], env: Environment): Promise<number> {
  const command = addGrantOptions(
    addStoreOption(fileCommand('create', 'create a token, write only its SHA-256 to the token file, and print it once')),
    'token',
  );
  const options = parseCredentialCommand<CreateOptions>(command, argv, env);
  if (typeof options === 'number') return options;
  const { tokenFile, auditLog } = paths(options);
  try {
    const projects = [...new Set(options.project)];
    const accessKeys = options.domainId ? [] : await accessKeyGrants(options);
    const token = generateToken();
    mkdirSync(dirname(tokenFile), { recursive: true, mode: 0o700 });
    const domain = withTokenFileLock(tokenFile, () => {
      const entries = readTokenFileEntries(tokenFile);
      if (entries.some((entry) => entry.name === options.name)) throw new Error(`the token file already has a token named ${options.name}`);
      const existing = entries.map((entry) => ({ domainId: entry.domain_id, projects: entry.projects }));
      const chosen = options.domainId
        ? { domainId: options.domainId, reason: 'given' }
        : chooseDomain(projects, [...existing, ...accessKeys]);
      writeTokenFileEntries(tokenFile, [...entries, tokenEntry(token, { name: options.name, domainId: chosen.domainId, projects })]);
      return chosen;
    });
    if (existsSync(dirname(auditLog))) {
      appendMaintenanceRecord(auditLog, {
        operation: 'token-create',
        outcome: 'success',
        credential_name: options.name,
        domain_id: domain.domainId,
        projects,
      });
    }
    if (options.output === 'json') {
      process.stdout.write(`${JSON.stringify({ token, name: options.name, domain_id: domain.domainId, projects })}\n`);
    } else {
      process.stdout.write(
        alignedLines([
          ['token', token],
          ['name', options.name],
          ['domain_id', domain.domainId],
          ['projects', projects.join(',')],
        ]),
      );
    }
    process.stderr.write(
      `The token is shown only this once (the token file holds its SHA-256). Domain: ${domain.reason}.\n${RELOAD_HINT}\n`,
    );
    return 0;
  } catch (error) {
    return commandFailed(`${GROUP} create`, error);
  }
}

async function list(argv: readonly string[], env: Environment): Promise<number> {
  const command = fileCommand('list', 'list the tokens of the token file: names, domains, projects (never a token or hash)').addOption(
    outputOption(),
  );
  const options = parseCredentialCommand<FileOptions & { output: OutputFormat }>(command, argv, env);
  if (typeof options === 'number') return options;
  const { tokenFile } = paths(options);
  try {
    if (!existsSync(tokenFile)) throw new Error(`no token file at ${tokenFile}; is --data-dir (or --token-file) right?`);
    const entries = readTokenFileEntries(tokenFile);
    if (options.output === 'json') {
      process.stdout.write(
        `${JSON.stringify(entries.map((entry) => ({ name: entry.name, domain_id: entry.domain_id, projects: entry.projects })))}\n`,
      );
    } else {
      const rows = entries.map((entry) => [entry.name, entry.domain_id, entry.projects.join(',')]);
      process.stdout.write(table(['NAME', 'DOMAIN_ID', 'PROJECTS'], rows));
    }
    return 0;
  } catch (error) {
    return commandFailed(`${GROUP} list`, error);
  }
}

async function revoke(argv: readonly string[], env: Environment): Promise<number> {
  const command = fileCommand('revoke', 'remove a token from the token file, by name').argument(
    '<name>',
    'the name of the token to remove',
  );
  const options = parseCredentialCommand<FileOptions>(command, argv, env);
  if (typeof options === 'number') return options;
  const name = command.args[0]!;
  try {
    credentialName(name);
  } catch {
    process.stderr.write(`error: ${JSON.stringify(name)} is not a token name (see ${GROUP} revoke --help)\n`);
    return 2;
  }
  const { tokenFile, auditLog } = paths(options);
  try {
    if (!existsSync(tokenFile)) throw new Error(`no token file at ${tokenFile}; is --data-dir (or --token-file) right?`);
    const removed = withTokenFileLock(tokenFile, () => {
      const entries = readTokenFileEntries(tokenFile);
      const kept = entries.filter((entry) => entry.name !== name);
      if (kept.length < entries.length) writeTokenFileEntries(tokenFile, kept);
      return kept.length < entries.length;
    });
    if (!removed) {
      process.stderr.write(`${GROUP} revoke: the token file ${tokenFile} has no token named ${name}\n`);
      return 1;
    }
    if (existsSync(dirname(auditLog)))
      appendMaintenanceRecord(auditLog, { operation: 'token-revoke', outcome: 'success', credential_name: name });
    process.stdout.write(`revoked ${name}\n`);
    process.stderr.write(`${RELOAD_HINT}\n`);
    return 0;
  } catch (error) {
    return commandFailed(`${GROUP} revoke`, error);
  }
}

/** `openkms-server token create|list|revoke`: tokens in the token file (only their hashes). Returns the exit code. */
export function runTokenCommand(argv: readonly string[], env: Environment): Promise<number> {
  return runSubcommand(
    GROUP,
    {
      create: { summary: 'create a token; writes only its hash, prints the token once', run: (rest) => create(rest, env) },
      list: { summary: 'list tokens: names, domains, projects (never a token or hash)', run: (rest) => list(rest, env) },
      revoke: { summary: 'remove a token by name', run: (rest) => revoke(rest, env) },
    },
    argv,
  );
}
