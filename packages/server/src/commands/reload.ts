import { resolve } from 'node:path';
import { Option } from 'commander';
import { addDataDirOption, dataDirPaths, DEFAULTS, parseOptions, settingsCommand, type Environment } from '../config';
import { isOtherServerProcess, readPidFile } from '../runtime/pid-file';

interface ReloadOptions {
  readonly dataDir?: string;
  readonly pidFile?: string;
}

/**
 * `openkms-server reload [--data-dir DIR | --pid-file FILE]`: sends SIGHUP to the one server whose
 * pid file this is (with --workers, its primary, which passes it on), so that it reopens its audit
 * log and reads its token file and root key files again. No pid file, or one whose process is
 * gone, is a failure (exit 1) with one line: nothing is signalled. Returns the exit code.
 */
export async function runReloadCommand(
  argv: readonly string[],
  env: Environment,
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  const command = addDataDirOption(
    settingsCommand(
      'openkms-server reload',
      'make the server of a data directory reload (SIGHUP): audit log reopened, token file and root key files read again',
    ),
    'the server data directory, whose openkms.pid names the server',
  ).addOption(new Option('--pid-file <file>', 'the pid file the server was started with (--pid-file); wins over --data-dir'));
  let options: ReloadOptions;
  try {
    options = parseOptions<ReloadOptions>(command, argv, env, 'user');
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const pidFile = resolve(options.pidFile ?? dataDirPaths(options.dataDir ?? DEFAULTS.dataDir).pidFile);
  const content = readPidFile(pidFile);
  const fail = (reason: string) => {
    err(`openkms-server reload: ${reason}; nothing was signalled\n`);
    return 1;
  };
  if ('missing' in content) return fail(`no pid file ${pidFile}: is a server running with this --data-dir (or --pid-file)?`);
  if ('malformed' in content) return fail(`${pidFile} does not hold a process ID`);
  if (!isOtherServerProcess(content.pid)) {
    return fail(`no openkms-server is running as pid ${content.pid} (${pidFile} is stale: its server did not exit cleanly)`);
  }
  try {
    process.kill(content.pid, 'SIGHUP');
  } catch (error) {
    return fail(`cannot signal pid ${content.pid}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  out(`sent SIGHUP to openkms-server pid ${content.pid} (${pidFile})\n`);
  return 0;
}
