/**
 * A private PostgreSQL cluster for fault tests that stop, restart, freeze or cut a database:
 * initdb into a fresh temporary directory, a free port on 127.0.0.1, a Unix socket in the same
 * directory, and remove() deletes it all. It never touches the shared test cluster (port 5432).
 *
 * The binaries are found as tools/scripts/test-postgres.sh's cluster has them: OPENKMS_PG_BINDIR
 * if set, else the newest /usr/lib/postgresql/<version>/bin (Debian), else initdb on the PATH.
 * PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
 * user (runuser), which owns the directory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const ROLE = 'openkms';
const DATABASE = 'openkms';
/** Guard of each server command against a hang only. */
const COMMAND_TIMEOUT_S = 60;

export interface PrivatePostgres {
  /** `postgres://openkms:<password>@127.0.0.1:<port>/openkms`. */
  readonly url: string;
  /** The role's password, so a test can check it never shows. */
  readonly password: string;
  readonly port: number;
  /** `pg_ctl stop -m fast`: connections are terminated (57P01), then the server stops. */
  stop(): void;
  /** Starts the stopped cluster again on the same port, and waits until it accepts connections. */
  start(): void;
  /** Terminates the backends of the openkms role (pg_terminate_backend); resolves with how many. */
  terminateBackends(): Promise<number>;
  /** SIGSTOP to the postmaster and all its processes: connections stay open, nothing answers. */
  freeze(): void;
  /** SIGCONT to what freeze() stopped. */
  thaw(): void;
  /** Stops the cluster (immediately) and deletes its directory; again is harmless. */
  remove(): void;
}

function binDir(): string {
  const given = process.env.OPENKMS_PG_BINDIR;
  if (given) return given;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((version) => existsSync(join(debian, version, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (found) return join(found, '..');
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL or set OPENKMS_PG_BINDIR');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The pids of `parent`'s child processes (from /proc). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      // Fields after the command (which is in parentheses and may hold spaces): state, ppid, …
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return children;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'openkms-private-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const password = randomBytes(12).toString('hex');
  const port = await freePort();

  /** Runs a PostgreSQL command, as the postgres user when we are root; throws with its output on failure. */
  const run = (command: string, args: readonly string[]) => {
    const [file, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    try {
      execFileSync(file, fullArgs, { cwd: dir, stdio: 'pipe', timeout: COMMAND_TIMEOUT_S * 1000, encoding: 'utf8' });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '';
      throw new Error(`${command} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}\n${log}`);
    }
  };

  const pwFile = join(dir, 'superuser-password');
  writeFileSync(pwFile, `${randomBytes(12).toString('hex')}\n`, { mode: 0o600 });
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
    chownSync(dir, uid!, gid!);
    chownSync(pwFile, uid!, gid!);
  }
  // Local (socket) connections are trusted, for the test's administration; TCP needs the password.
  run('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
    '--pwfile',
    pwFile,
  ]);
  rmSync(pwFile);
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=60',
    '-c shared_buffers=16MB',
    // The machine's crash is not under test, a stopped or killed PostgreSQL is: fsync adds only time.
    '-c fsync=off',
  ].join(' ');
  const start = () => run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', String(COMMAND_TIMEOUT_S), '-o', serverOptions]);
  start();

  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ host: dir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
    // As in @openkms/core/testing: a dropped connection fails the next query instead of the process.
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await admin(async (client) => {
    await client.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${password}'`);
    await client.query(`CREATE DATABASE ${DATABASE} OWNER ${ROLE} ENCODING 'UTF8' TEMPLATE template0`);
  });

  const postmasterPid = () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let frozen: number[] = [];
  let removed = false;
  return {
    url: `postgres://${ROLE}:${password}@127.0.0.1:${port}/${DATABASE}`,
    password,
    port,
    stop: () => run('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', String(COMMAND_TIMEOUT_S)]),
    start,
    terminateBackends: () =>
      admin(async (client) => {
        const { rows } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [ROLE]);
        return rows.length;
      }),
    freeze: () => {
      // The postmaster first, so that it forks no new backend meanwhile.
      const postmaster = postmasterPid();
      process.kill(postmaster, 'SIGSTOP');
      frozen = [postmaster, ...childrenOf(postmaster)];
      for (const pid of frozen.slice(1)) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of frozen.slice().reverse()) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // It ended meanwhile.
        }
      }
      frozen = [];
    },
    remove: () => {
      if (removed) return;
      removed = true;
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // Gone already.
        }
      }
      try {
        if (existsSync(join(dataDir, 'postmaster.pid'))) run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
