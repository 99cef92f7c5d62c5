/**
 * The pid file and `openkms-server reload`: each rule on the module itself, then on the real
 * command. Two servers on two data directories, and `reload` reaches only the one named; a stale
 * file is replaced; a second server on a live server's directory is refused; a clean exit removes
 * the file; with --workers the file names the primary, and reload reaches every worker.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPidFile, PidFileHeldError, readPidFile, removePidFile, writePidFile } from '../src/runtime/pid-file';
import { runOpenkms, startOpenKms, startServerProcess, type NodeProcess, type ServerProcess } from '../src/testing';

jest.setTimeout(120_000);

let work: string;
let dirCounter = 0;
const spawned: NodeProcess[] = [];
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-pid-file-'));
});
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((proc) => proc.kill()));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function newDir(): string {
  dirCounter += 1;
  const dir = join(work, `dir-${dirCounter}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/** The ID of a process that has exited (and been reaped): what a crashed server leaves in its pid file. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** A live process that is not an openkms-server (a pid reused by something else). */
function otherProcess(): { pid: number; kill(): void } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

async function start(args: readonly string[], options: { cluster?: boolean } = {}): Promise<ServerProcess> {
  const proc = await startServerProcess(args, { cwd: work, ...options });
  spawned.push(proc);
  return proc;
}

/** The process ID in a pid file, which the server writes before the "listening" line the launcher waits for. */
function pidIn(path: string): number | undefined {
  const content = readPidFile(path);
  return 'pid' in content ? content.pid : undefined;
}

async function reload(args: readonly string[]) {
  const run = runOpenkms(['reload', ...args], { cwd: work });
  const exit = await run.exited;
  return { code: exit.code, stdout: run.stdout(), stderr: run.stderr() };
}

const reloadLines = (proc: NodeProcess) => proc.logLines().filter((line) => line.msg === 'tokens reloaded');

describe('runtime/pid-file', () => {
  it('writes the pid with mode 0600, and removes only its own', () => {
    const path = join(newDir(), 'openkms.pid');
    writePidFile(path, process.pid);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    removePidFile(path, process.pid + 1);
    expect(existsSync(path)).toBe(true);
    removePidFile(path, process.pid);
    expect(existsSync(path)).toBe(false);
  });

  it('treats as stale, and replaces, a file naming a process that is gone, something other than a server, this process, or nothing', async () => {
    const dir = newDir();
    const path = join(dir, 'openkms.pid');
    const dead = await deadPid();
    const other = otherProcess();
    try {
      for (const [what, content, stale] of [
        ['a process that exited', `${dead}\n`, dead],
        ['a live process that is not an openkms-server', `${other.pid}\n`, other.pid],
        ['this very process (a container’s pid 1 at every start)', `${process.pid}\n`, process.pid],
        ['no process ID', 'not a pid\n', undefined],
      ] as const) {
        writeFileSync(path, content, { mode: 0o600 });
        expect({ what, stale: checkPidFile(path) }).toEqual({ what, stale });
        writePidFile(path, process.pid);
        expect({ what, content: readFileSync(path, 'utf8') }).toEqual({ what, content: `${process.pid}\n` });
      }
      expect(checkPidFile(join(dir, 'none.pid'))).toBeUndefined();
      // Nothing is left beside it.
      expect(readdirSync(dir)).toEqual(['openkms.pid']);
    } finally {
      other.kill();
    }
  });

  it('never replaces the file of a live server: the check and the write both refuse', async () => {
    const dataDir = newDir();
    const server = await start(['--data-dir', dataDir]);
    const path = join(dataDir, 'openkms.pid');
    expect(pidIn(path)).toBe(server.pid);
    expect(() => checkPidFile(path)).toThrow(PidFileHeldError);
    expect(() => writePidFile(path, process.pid)).toThrow(
      `another openkms-server (pid ${server.pid}) is running with the pid file ${path}`,
    );
    expect(readFileSync(path, 'utf8')).toBe(`${server.pid}\n`);
  });

  it('is not written by a server started in the test’s process (startOpenKms)', async () => {
    const server = await startOpenKms({ store: 'sqlite' });
    try {
      expect(existsSync(join(server.dataDir, 'openkms.pid'))).toBe(false);
    } finally {
      await server.stop();
    }
  });
});

describe('openkms-server --pid-file and reload (processes)', () => {
  it('two servers on two data directories: reload reaches only the one named', async () => {
    const [dirA, dirB] = [newDir(), newDir()];
    const [a, b] = await Promise.all([start(['--data-dir', dirA]), start(['--data-dir', dirB])]);
    const [pidA, pidB] = [pidIn(join(dirA, 'openkms.pid')), pidIn(join(dirB, 'openkms.pid'))];
    expect([pidA, pidB]).toEqual([a.pid, b.pid]);

    expect(await reload(['--data-dir', dirA])).toEqual({
      code: 0,
      stdout: `sent SIGHUP to openkms-server pid ${a.pid} (${join(dirA, 'openkms.pid')})\n`,
      stderr: '',
    });
    await a.waitUntil(() => (reloadLines(a).length === 1 ? true : undefined), 'A reloading');
    // B reloads on its own reload only, once; had A's reached it, it would have reloaded first.
    expect(await reload(['--pid-file', join(dirB, 'openkms.pid')])).toMatchObject({ code: 0 });
    await b.waitUntil(() => (reloadLines(b).length >= 1 ? true : undefined), 'B reloading');
    expect([reloadLines(a).length, reloadLines(b).length]).toEqual([1, 1]);
  });

  it('refuses a second server on a live server’s data directory, with one line and exit 1; the first keeps serving', async () => {
    const dataDir = newDir();
    const first = await start(['--data-dir', dataDir]);
    const path = join(dataDir, 'openkms.pid');
    expect(pidIn(path)).toBe(first.pid);
    const second = runOpenkms(['--port', '0', '--data-dir', dataDir], { cwd: work });
    spawned.push(second);
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toBe(
      `openkms-server: failed to start: another openkms-server (pid ${first.pid}) is running with the pid file ${path}: ` +
        'stop it, or give this server another --data-dir (or --pid-file)\n',
    );
    expect(readFileSync(path, 'utf8')).toBe(`${first.pid}\n`);
    expect((await fetch(`${first.url}/health/ready`)).status).toBe(200);
  });

  it('of two servers started at once on one data directory, exactly one serves, whichever way their starts interleave', async () => {
    const dataDir = newDir();
    const path = join(dataDir, 'openkms.pid');
    const both = [0, 1].map(() => runOpenkms(['--port', '0', '--data-dir', dataDir], { cwd: work }));
    spawned.push(...both);
    // Each either listens (and then serves until stopped) or exits.
    const outcomes = await Promise.all(
      both.map((proc) =>
        proc.waitUntil(() => {
          if (proc.logLines().some((line) => line.msg === 'openkms server listening')) return 'listening';
          return proc.child.exitCode !== null ? `exit ${proc.child.exitCode}` : undefined;
        }, 'listening or an exit'),
      ),
    );
    expect([...outcomes].sort()).toEqual(['exit 1', 'listening']);
    const winner = both[outcomes.indexOf('listening')]!;
    const loser = both[outcomes.indexOf('exit 1')]!;
    expect(pidIn(path)).toBe(winner.pid);
    expect(loser.stderr()).toContain(`another openkms-server (pid ${winner.pid}) is running with the pid file ${path}`);
  });

  it('replaces a stale pid file left by a crash, and removes its own on SIGTERM; reload then finds no server', async () => {
    const dataDir = newDir();
    const path = join(dataDir, 'openkms.pid');
    const crashed = await start(['--data-dir', dataDir]);
    expect(pidIn(path)).toBe(crashed.pid);
    await crashed.kill();
    expect(readFileSync(path, 'utf8')).toBe(`${crashed.pid}\n`);
    expect(await reload(['--data-dir', dataDir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `openkms-server reload: no openkms-server is running as pid ${crashed.pid} (${path} is stale: its server did not exit cleanly); nothing was signalled\n`,
    });

    const server = await start(['--data-dir', dataDir]);
    expect(pidIn(path)).toBe(server.pid);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(server.logLines().find((line) => line.msg === 'the pid file names a process that is gone; replacing it')).toMatchObject({
      pid_file: path,
      stale_pid: crashed.pid,
    });
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(path)).toBe(false);
    expect(await reload(['--data-dir', dataDir])).toEqual({
      code: 1,
      stdout: '',
      stderr: `openkms-server reload: no pid file ${path}: is a server running with this --data-dir (or --pid-file)?; nothing was signalled\n`,
    });
  });

  it('takes --pid-file (and OPENKMS_PID_FILE) in place of the data directory’s', async () => {
    const dataDir = newDir();
    const path = join(newDir(), 'kms.pid');
    const server = await startServerProcess(['--data-dir', dataDir], { cwd: work, env: { OPENKMS_PID_FILE: path } });
    spawned.push(server);
    expect(pidIn(path)).toBe(server.pid);
    expect(existsSync(join(dataDir, 'openkms.pid'))).toBe(false);
    expect((await reload(['--pid-file', path])).code).toBe(0);
    await server.waitUntil(() => (reloadLines(server).length === 1 ? true : undefined), 'the reload');
  });

  it('with --workers names the primary, whose SIGHUP reaches every worker; a clean stop removes it', async () => {
    const dataDir = newDir();
    const path = join(dataDir, 'openkms.pid');
    const cluster = await start(['--workers', '2', '--data-dir', dataDir], { cluster: true });
    // Written before the primary's "listening" line.
    expect(readFileSync(path, 'utf8')).toBe(`${cluster.pid}\n`);
    // Each worker serves only once it has listened; wait for both before signalling.
    await cluster.waitUntil(
      () =>
        new Set(
          cluster
            .logLines()
            .filter((l) => l.msg === 'openkms server listening')
            .map((l) => l.pid),
        ).size === 2
          ? true
          : undefined,
      'both workers listening',
    );
    expect((await reload(['--data-dir', dataDir])).code).toBe(0);
    await cluster.waitUntil(
      () => (new Set(reloadLines(cluster).map((line) => line.pid)).size === 2 ? true : undefined),
      'both workers reloading',
    );
    expect(reloadLines(cluster).map((line) => line.pid)).not.toContain(cluster.pid);
    expect(await cluster.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(path)).toBe(false);
  });

  it('dev mode: the data directory’s pid file with --data-dir, the given one with --pid-file', async () => {
    const dataDir = newDir();
    const devWithDir = await start(['--dev', '--data-dir', dataDir]);
    expect(pidIn(join(dataDir, 'openkms.pid'))).toBe(devWithDir.pid);
    expect(await devWithDir.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'openkms.pid'))).toBe(false);

    const path = join(newDir(), 'dev.pid');
    const devInMemory = await start(['--dev', '--pid-file', path]);
    expect(pidIn(path)).toBe(devInMemory.pid);
    expect((await reload(['--pid-file', path])).code).toBe(0);
    await devInMemory.waitUntil(() => (reloadLines(devInMemory).length === 1 ? true : undefined), 'the reload');
  });

  it('bad reload usage is one line and exit 2', async () => {
    expect(await reload(['--no-such-flag'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown option '--no-such-flag' (see openkms-server reload --help)\n",
    });
  });
});
