import { InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import pino from 'pino';
import { maskUrlPasswordsInText, rewrapAllKeys } from '@openkms/core';
import { appendMaintenanceRecord } from '../audit/audit-log';
import {
  addKeyStoreOptions,
  DATA_DIR_FILES,
  dataDirPaths,
  DEFAULTS,
  forgetRootKeys,
  parseOptions,
  resolveRewrapConfig,
  ROOT_KEY_HELP,
  rootKeysFrom,
  settingsCommand,
  type Environment,
  type RewrapConfigInput,
} from '../config';
import { loadRootKeys } from '../runtime/root-keys';
import { openStore, type CredentialAndKeyStore } from '../runtime/store';

const DESCRIPTION = `re-wrap every key's material (and every access key's secret) under the root key, retiring the previous root key (root key rotation)

Online and crash safe: servers holding both root keys keep serving throughout, and an
interrupted run is finished by running it again. Steps (embedded store, default paths):
  1. mv ${DEFAULTS.dataDir}/${DATA_DIR_FILES.rootKey} ${DEFAULTS.dataDir}/${DATA_DIR_FILES.previousRootKey}
  2. kill -HUP <server pid>   (the server creates a new ${DATA_DIR_FILES.rootKey} and holds both keys)
  3. openkms-server rewrap
  4. once it reports "finished", delete ${DATA_DIR_FILES.previousRootKey} (the server no longer needs it)`;

/**
 * `openkms-server rewrap`: root key rotation. Prints one JSON line per batch and a summary;
 * exits 0 when the rotation is finished, 1 when it is not (or failed), 2 on bad usage.
 */
export async function runRewrapCommand(
  argv: readonly string[],
  env: Environment,
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const command = addKeyStoreOptions(settingsCommand('openkms-server rewrap', DESCRIPTION), 'the new root key file (must exist)')
    .addOption(new Option('--batch-size <n>', 'keys read and re-wrapped per batch').argParser(positiveInteger))
    .addHelpText('after', ROOT_KEY_HELP);
  let options: RewrapConfigInput;
  try {
    options = parseOptions<RewrapConfigInput>(command, argv, env, 'user');
  } catch (error) {
    // --help and --version exit 0; any usage error is 2 (commander would say 1, like a failed rewrap).
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const config = resolveRewrapConfig({ ...options, ...rootKeysFrom(env) });
  forgetRootKeys(env);
  const line = (record: Record<string, unknown>) => out(`${JSON.stringify(record)}\n`);
  const { auditLog: auditPath, keyStore: sqlitePath } = dataDirPaths(config.dataDir);

  let store: CredentialAndKeyStore | undefined;
  try {
    if (config.store === 'memory') throw new Error('--store memory holds nothing to re-wrap');
    if (config.store === 'sqlite' && !existsSync(sqlitePath)) throw new Error(`no key store at ${sqlitePath}; is --data-dir right?`);
    const rootKeys = loadRootKeys(config, { create: 'never' });
    line({ msg: 'rewrap starting', ...rootKeys.description });
    store = await openStore(config.store, config.dataDir, pino({ level: 'warn' }));
    const report = await rewrapAllKeys({
      store,
      rootKey: rootKeys.rootKey,
      previousRootKeys: rootKeys.previousRootKeys,
      batchSize: config.batchSize,
      onProgress: (progress) => line({ msg: 'rewrap progress', ...progress }),
    });
    const { unreadable, unreadableAccessKeys, ...summary } = report;
    line({
      msg: report.finished ? 'rewrap finished' : 'rewrap unfinished',
      ...summary,
      unreadable_keys: unreadable,
      unreadable_access_keys: unreadableAccessKeys,
    });
    appendMaintenanceRecord(auditPath, {
      operation: 'rewrap',
      outcome: report.finished ? 'success' : 'failure',
      active_root_key: report.active,
      retired_root_key: report.retired,
      rewrapped: report.rewrapped,
      access_keys_rewrapped: report.accessKeysRewrapped,
      unreadable_keys: unreadable,
      unreadable_access_keys: unreadableAccessKeys,
    });
    if (!report.finished) {
      out(
        `The rotation is not finished: ${unreadable.length} key(s) and ${unreadableAccessKeys.length} access key secret(s) ` +
          'opened under none of the root keys given (listed above). ' +
          'Keep the previous root key, find the cause (a missing root key, or damage: restore those keys from a backup), and run rewrap again.\n',
      );
      return 1;
    }
    out(
      report.retired
        ? `Every key and access key secret is wrapped under root key ${report.active}; root key ${report.retired} is retired. ` +
            'Servers still holding it keep working; remove it from their configuration (and reload them), then destroy it.\n'
        : `Every key and access key secret is wrapped under root key ${report.active}; there was no root key to retire.\n`,
    );
    return 0;
  } catch (error) {
    const message = maskUrlPasswordsInText((error as Error).message);
    process.stderr.write(`rewrap failed: ${message}\n`);
    if (existsSync(config.dataDir)) appendMaintenanceRecord(auditPath, { operation: 'rewrap', outcome: 'failure', error: message });
    return 1;
  } finally {
    await store?.close();
  }
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^[1-9][0-9]{0,5}$/.test(value)) throw new InvalidArgumentError('expected an integer from 1 to 999999');
  return parsed;
}
