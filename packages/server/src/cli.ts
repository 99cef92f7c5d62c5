import type { Environment } from './config';
import { runAccessKeyCommand } from './commands/access-key';
import { runBackupCommand } from './commands/backup';
import { runReloadCommand } from './commands/reload';
import { runRewrapCommand } from './commands/rewrap';
import { runServeCommand } from './commands/serve';
import { runTokenCommand } from './commands/token';

/**
 * Entry point of the `openkms-server` command: `backup`, `rewrap` and `reload` are maintenance commands,
 * `access-key` and `token` manage credentials; anything else serves. `env` is the process environment, which the executable passes in.
 */
export async function main(argv: readonly string[], env: Environment): Promise<void> {
  if (argv[2] === 'backup') {
    process.exitCode = await runBackupCommand(argv.slice(3), env);
    return;
  }
  if (argv[2] === 'rewrap') {
    process.exitCode = await runRewrapCommand(argv.slice(3), env);
    return;
  }
  if (argv[2] === 'access-key') {
    process.exitCode = await runAccessKeyCommand(argv.slice(3), env);
    return;
  }
  if (argv[2] === 'reload') {
    process.exitCode = await runReloadCommand(argv.slice(3), env);
    return;
  }
  if (argv[2] === 'token') {
    process.exitCode = await runTokenCommand(argv.slice(3), env);
    return;
  }
  await runServeCommand(argv, env);
}
