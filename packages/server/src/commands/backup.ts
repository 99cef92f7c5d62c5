import { backupSqliteStore } from '@openkms/core';
import {
  addDataDirOption,
  DATA_DIR_FILES,
  ENVIRONMENT_VARIABLES,
  parseOptions,
  resolveBackupConfig,
  settingsCommand,
  type BackupConfigInput,
  type Environment,
} from '../config';

/**
 * `openkms-server backup --to FILE [--data-dir DIR]`: an online, consistent copy of the
 * embedded SQLite store while the server keeps serving. (A PostgreSQL store is backed up
 * with PostgreSQL's own tools, e.g. pg_dump.) Returns the exit code.
 */
export async function runBackupCommand(
  argv: readonly string[],
  env: Environment,
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const command = addDataDirOption(
    settingsCommand('openkms-server backup', 'copy the SQLite key store of a data directory, online, to a new file (never overwritten)'),
    'the server data directory',
  ).requiredOption('--to <file>', 'the backup file to create');
  let options;
  try {
    options = parseOptions<BackupConfigInput>(command, argv, env, 'user');
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const config = resolveBackupConfig({ dataDir: options.dataDir, to: options.to });
  try {
    const result = await backupSqliteStore(config.keyStoreFile, config.destination);
    out(`${JSON.stringify({ msg: 'backup written', file: result.destination, keys: result.keys, pages: result.pages })}\n`);
    const rootKey = `${DATA_DIR_FILES.rootKey} or ${ENVIRONMENT_VARIABLES.rootKey}`;
    out(`The backup holds wrapped key material only: keep the root key (${rootKey}) backed up, apart from it.\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`backup failed: ${(error as Error).message}\n`);
    return 1;
  }
}
