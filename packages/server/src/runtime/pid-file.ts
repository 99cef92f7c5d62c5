/**
 * The pid file (`--pid-file`, default `<data-dir>/openkms.pid`): the process ID of the one server
 * serving a data directory, so that `openkms-server reload` (SIGHUP) reaches exactly that server
 * and a second server on the same directory is refused. With --workers it names the primary,
 * which passes SIGHUP to every worker.
 *
 * A file whose process is gone (a crash, SIGKILL) is stale and replaced. "Gone" includes a process
 * ID reused by something that is not an openkms-server (read from /proc where it exists) and the
 * caller's own ID (a container's server is often pid 1 at every start).
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Another server holds the pid file: the start is refused. */
export class PidFileHeldError extends Error {
  override readonly name = 'PidFileHeldError';
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `another openkms-server (pid ${pid}) is running with the pid file ${path}: ` +
        'stop it, or give this server another --data-dir (or --pid-file)',
    );
  }
}

/** What a pid file holds: a process ID, or why it holds none. */
export type PidFileContent = { readonly pid: number } | { readonly missing: true } | { readonly malformed: true };

export function readPidFile(path: string): PidFileContent {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    throw error;
  }
  const match = /^([1-9][0-9]{0,9})\n?$/.exec(text);
  return match ? { pid: Number(match[1]) } : { malformed: true };
}

/** Whether `pid` is a running openkms-server other than this process. */
export function isOtherServerProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, another user's; it cannot be signalled, but it is not ours to replace either.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // No /proc (not Linux), or it vanished meanwhile: trust the signal test.
    return true;
  }
  return commandLine.includes('openkms-server');
}

/** The server holding `path`, if any; undefined when the file is missing, malformed or stale. */
export function pidFileHolder(path: string): number | undefined {
  const content = readPidFile(path);
  return 'pid' in content && isOtherServerProcess(content.pid) ? content.pid : undefined;
}

/**
 * Before the start: throws PidFileHeldError when a live server holds `path`. Returns the stale
 * process ID it found (to be logged; the file is replaced once this server listens), if any.
 */
export function checkPidFile(path: string): number | undefined {
  const content = readPidFile(path);
  if (!('pid' in content)) return undefined;
  if (isOtherServerProcess(content.pid)) throw new PidFileHeldError(path, content.pid);
  return content.pid;
}

/** Filesystems without hard links answer link() with one of these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Once listening: writes `pid` to `path`, mode 0600, atomically (a reader sees the whole ID or no
 * file). A live server's file is never replaced: two servers starting at once on one directory
 * both pass checkPidFile, and the second to get here is refused (PidFileHeldError).
 */
export function writePidFile(path: string, pid = process.pid): void {
  const temporary = `${path}.${pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${pid}\n`, { mode: 0o600, flag: 'wx' });
  try {
    try {
      // Creates the file only where there is none, whole: no window in which another start sees it empty.
      linkSync(temporary, path);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST' && !NO_HARD_LINKS.has(code)) throw error;
    }
    const holder = pidFileHolder(path);
    if (holder !== undefined) throw new PidFileHeldError(path, holder);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** At a clean exit: removes `path` if it still names `pid` (never another server's file). */
export function removePidFile(path: string, pid = process.pid): void {
  const content = readPidFile(path);
  if ('pid' in content && content.pid === pid) rmSync(path, { force: true });
}
