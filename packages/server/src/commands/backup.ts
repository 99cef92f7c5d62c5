import { Command } from 'commander';
import { join, resolve } from 'node:path';
import { backupSqliteStore } from '@openkms/core';

/**
 * `openkms-server backup --to FILE [--data-dir DIR]`: an online, consistent copy of the
 * embedded SQLite store while the server keeps serving. (A PostgreSQL store is backed up
 * with PostgreSQL's own tools, e.g. pg_dump.) Returns the exit code.
 */
export async function runBackupCommand(argv: readonly string[], out: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const command = new Command('openkms-server backup')
    .description('copy the SQLite key store of a data directory, online, to a new file (never overwritten)')
    .requiredOption('--to <file>', 'the backup file to create')
    .option('--data-dir <dir>', 'the server data directory', process.env.OPENKMS_DATA_DIR ?? '.openkms')
    .exitOverride();
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    return (error as { exitCode?: number }).exitCode ?? 2;
  }
  const options = command.opts<{ to: string; dataDir: string }>();
  try {
    const result = await backupSqliteStore(join(resolve(options.dataDir), 'keys.sqlite'), resolve(options.to));
    out(`${JSON.stringify({ msg: 'backup written', file: result.destination, keys: result.keys, pages: result.pages })}\n`);
    out('The backup holds wrapped key material only: keep the root key (root.key or OPENKMS_ROOT_KEY) backed up, apart from it.\n');
    return 0;
  } catch (error) {
    process.stderr.write(`backup failed: ${(error as Error).message}\n`);
    return 1;
  }
}
