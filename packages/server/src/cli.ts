import { runBackupCommand } from './commands/backup';
import { runRewrapCommand } from './commands/rewrap';
import { runServeCommand } from './commands/serve';

/** Entry point of the `openkms-server` command: `backup` and `rewrap` are maintenance commands; anything else serves. */
export async function main(argv: readonly string[]): Promise<void> {
  if (argv[2] === 'backup') {
    process.exitCode = await runBackupCommand(argv.slice(3));
    return;
  }
  if (argv[2] === 'rewrap') {
    process.exitCode = await runRewrapCommand(argv.slice(3));
    return;
  }
  await runServeCommand(argv);
}
