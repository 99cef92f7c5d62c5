/**
 * The `openkms-server` command as an operator runs it: `node bin/openkms-server.js`, which
 * loads ../dist (the nx test target builds it first; beforeAll builds it if missing).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { runOpenkms, type ProcessExit } from '../src/testing';

jest.setTimeout(30_000);

const SERVER_ROOT = resolve(__dirname, '..');
/** Guard against hangs only; never a timing assertion. */
const WAIT_MS = 20_000;

type Exit = ProcessExit;

interface Proc {
  readonly child: ChildProcess;
  readonly exit: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** stdout lines parsed as JSON (pino); a line that is not JSON fails the test. */
  logLines(): Record<string, unknown>[];
  /** Resolves with the first JSON log line on stdout that satisfies `predicate`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  /** Resolves with the match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
}

let tempRoot: string;
let dirCounter = 0;
const spawned: Proc[] = [];

beforeAll(() => {
  if (!existsSync(join(SERVER_ROOT, 'dist', 'cli.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: SERVER_ROOT, stdio: 'inherit' });
  }
  tempRoot = mkdtempSync(join(tmpdir(), 'openkms-cli-'));
}, 120_000);

afterEach(async () => {
  // Whatever a test left running (e.g. after a failed assertion) is killed by its own pid.
  await Promise.all(
    spawned.splice(0).map(async (proc) => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await proc.exit;
    }),
  );
});

afterAll(() => {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});

function newDataDir(): string {
  dirCounter += 1;
  return join(tempRoot, `data-${dirCounter}`);
}

function run(args: readonly string[], env: Record<string, string> = {}): Proc {
  // cwd is a temp dir, so the default data dir (.openkms) could never land in the repository.
  const proc = runOpenkms(args, { cwd: tempRoot, env, waitMs: WAIT_MS });
  const logLines = () =>
    proc
      .stdout()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`stdout line is not a JSON log line: ${line}`);
        }
      });
  const wrapped: Proc = {
    child: proc.child,
    exit: proc.exited,
    stdout: proc.stdout,
    stderr: proc.stderr,
    logLines,
    waitForLog: (predicate, what) => proc.waitUntil(() => logLines().find(predicate), `log line ${what}`),
    waitForStderr: (pattern) => proc.waitForStderr(pattern),
  };
  spawned.push(wrapped);
  return wrapped;
}

/** Resolves with the exit, or rejects if the process is still running after the guard. */
function exitOf(proc: Proc): Promise<Exit> {
  return new Promise((resolveExit, reject) => {
    const guard = setTimeout(
      () => reject(new Error(`process did not exit within ${WAIT_MS} ms\nstdout:\n${proc.stdout()}\nstderr:\n${proc.stderr()}`)),
      WAIT_MS,
    );
    void proc.exit.then((exit) => {
      clearTimeout(guard);
      resolveExit(exit);
    });
  });
}

async function listening(proc: Proc): Promise<string> {
  const line = await proc.waitForLog((entry) => entry.msg === 'openkms server listening', "'openkms server listening'");
  expect(typeof line.url).toBe('string');
  return line.url as string;
}

function createKey(url: string, projectId: string, token: string, alias: string) {
  return fetch(`${url}/v1.0/${projectId}/kms/create-key`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    body: JSON.stringify({ key_alias: alias }),
  });
}

describe('arguments', () => {
  it('--help exits 0 and lists every option', async () => {
    const proc = run(['--help']);
    expect(await exitOf(proc)).toEqual({ code: 0, signal: null });
    for (const flag of [
      '--host',
      '--port',
      '--data-dir',
      '--root-key-file',
      '--previous-root-key-file',
      '--token-file',
      '--store',
      '--region',
      '--log-level',
    ]) {
      expect(proc.stdout()).toContain(flag);
    }
    expect(proc.stdout()).toContain('OPENKMS_ROOT_KEY');
    expect(proc.stdout()).toContain('OPENKMS_PREVIOUS_ROOT_KEY');
    expect(proc.stdout()).toContain('openkms-server rewrap --help');
  });

  it('rewrap --help exits 0 and describes the rotation steps; a bad --batch-size exits 2 and touches nothing', async () => {
    const help = run(['rewrap', '--help']);
    expect(await exitOf(help)).toEqual({ code: 0, signal: null });
    for (const text of ['--previous-root-key-file', '--batch-size', 'kill -HUP', 'root.key.previous'])
      expect(help.stdout()).toContain(text);

    const dataDir = newDataDir();
    const bad = run(['rewrap', '--data-dir', dataDir, '--batch-size', '0']);
    expect(await exitOf(bad)).toEqual({ code: 2, signal: null });
    expect(bad.stderr()).toMatch(/--batch-size.*expected an integer/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('--version (and -V) prints the package version and exits 0, starting nothing', async () => {
    const { version } = JSON.parse(readFileSync(join(SERVER_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const dataDir = newDataDir();
      const proc = run([flag, '--data-dir', dataDir]);
      expect(await exitOf(proc)).toEqual({ code: 0, signal: null });
      expect({ stdout: proc.stdout(), stderr: proc.stderr() }).toEqual({ stdout: `${version}\n`, stderr: '' });
      expect(existsSync(dataDir)).toBe(false);
    }
  });

  it.each([['abc'], ['70000'], ['80.5'], ['']])('--port %j exits 2 with one line naming the problem and starts nothing', async (port) => {
    const dataDir = newDataDir();
    const proc = run(['--port', port, '--data-dir', dataDir]);
    expect(await exitOf(proc)).toEqual({ code: 2, signal: null });
    expect(proc.stderr()).toBe(
      `error: option '--port <port>' argument '${port}' is invalid. expected an integer from 0 to 65535 (see openkms-server --help)\n`,
    );
    expect(proc.stdout()).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it("an unknown option exits 2 with one line (commander's suggestion joined on) and a pointer to --help, not the help itself", async () => {
    const proc = run(['--no-such-flag']);
    expect(await exitOf(proc)).toEqual({ code: 2, signal: null });
    expect(proc.stderr()).toBe("error: unknown option '--no-such-flag' (see openkms-server --help)\n");
    expect(proc.stdout()).toBe('');

    const typo = run(['--data-dri', newDataDir()]);
    expect(await exitOf(typo)).toEqual({ code: 2, signal: null });
    expect(typo.stderr()).toBe("error: unknown option '--data-dri' (Did you mean --data-dir?) (see openkms-server --help)\n");

    // A maintenance command's bad usage has the same form, pointing at its own help.
    const backup = run(['backup', '--to', join(tempRoot, 'never.sqlite'), '--no-such-flag']);
    expect(await exitOf(backup)).toEqual({ code: 2, signal: null });
    expect(backup.stderr()).toBe("error: unknown option '--no-such-flag' (see openkms-server backup --help)\n");
  });

  it('a bad value from the environment and a configuration conflict are one line and exit 2 as well', async () => {
    const fromEnv = run(['--data-dir', newDataDir()], { OPENKMS_PORT: 'eighty' });
    expect(await exitOf(fromEnv)).toEqual({ code: 2, signal: null });
    expect(fromEnv.stderr()).toMatch(
      /^error: option '--port <port>' from env 'OPENKMS_PORT' is invalid\. .* \(see openkms-server --help\)\n$/,
    );
    // A variable may hold a secret (a dev token, say): a refusal names the variable, never its value.
    const secret = 'okms_not a valid token';
    const badToken = run(['--dev'], { OPENKMS_DEV_TOKEN: secret });
    expect(await exitOf(badToken)).toEqual({ code: 2, signal: null });
    expect(badToken.stderr()).toMatch(/from env 'OPENKMS_DEV_TOKEN' is invalid/);
    expect(badToken.stderr() + badToken.stdout()).not.toContain(secret);

    const conflict = run(['--workers', '2', '--store', 'memory']);
    expect(await exitOf(conflict)).toEqual({ code: 2, signal: null });
    expect(conflict.stderr()).toMatch(/^error: .*needs a shared store.* \(see openkms-server --help\)\n$/);
  });
});

describe('running the server', () => {
  it('first start shows the development token on stderr only, serves it, and stops cleanly on SIGTERM; a restart shows no token', async () => {
    const dataDir = newDataDir();
    const proc = run(['--port', '0', '--data-dir', dataDir]);
    const url = await listening(proc);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    expect(url).not.toMatch(/:0$/);

    const tokenLine = await proc.waitForStderr(/^ {2}X-Auth-Token: (okms_[A-Za-z0-9_-]+)$/m);
    const projectLine = await proc.waitForStderr(/^ {2}project_id: +([0-9a-f]{32})$/m);
    await proc.waitForStderr(/^ {2}domain_id: +[0-9a-f]{32}$/m);
    const token = tokenLine[1]!;
    const projectId = projectLine[1]!;
    expect(proc.stdout()).not.toContain(token);

    const res = await createKey(url, projectId, token, 'cli-demo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { key_info?: { key_id?: unknown } };
    expect(typeof body.key_info?.key_id).toBe('string');

    proc.child.kill('SIGTERM');
    expect(await exitOf(proc)).toEqual({ code: 0, signal: null });
    const messages = proc.logLines().map((line) => line.msg);
    expect(messages).toContain('openkms server stopped');
    expect(proc.logLines().find((line) => line.msg === 'shutting down')?.signal).toBe('SIGTERM');
    // The whole structured log, to the end, never carried the token.
    expect(proc.stdout()).not.toContain(token);
    expect(readdirSync(dataDir).sort()).toEqual(expect.arrayContaining(['keys.sqlite', 'root.key', 'tokens.json']));

    const again = run(['--port', '0', '--data-dir', dataDir]);
    const againUrl = await listening(again);
    expect((await createKey(againUrl, projectId, token, 'cli-demo-2')).status).toBe(200);
    expect(again.stderr()).not.toContain('X-Auth-Token');
    again.child.kill('SIGINT');
    expect(await exitOf(again)).toEqual({ code: 0, signal: null });
    expect(again.logLines().map((line) => line.msg)).toContain('openkms server stopped');
  });

  it('OPENKMS_DATA_DIR and OPENKMS_PORT work instead of flags', async () => {
    const dataDir = newDataDir();
    const proc = run([], { OPENKMS_DATA_DIR: dataDir, OPENKMS_PORT: '0' });
    const url = await listening(proc);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    const line = proc.logLines().find((entry) => entry.msg === 'openkms server listening');
    expect(line?.data_dir).toBe(dataDir);
    expect(existsSync(join(dataDir, 'root.key'))).toBe(true);
    expect(existsSync(join(dataDir, 'tokens.json'))).toBe(true);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await exitOf(proc)).toEqual({ code: 0, signal: null });
  });

  it('a SIGTERM while the server is still starting stops it cleanly, never by the signal itself', async () => {
    // A "database" that accepts connections and never answers holds the start at "opening the key store".
    const silent = createNetServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const { port } = silent.address() as AddressInfo;
      const proc = run([
        '--data-dir',
        newDataDir(),
        '--port',
        '0',
        '--store',
        `postgres://u:p@127.0.0.1:${port}/db`,
        '--db-connect-timeout-ms',
        '2000',
      ]);
      await proc.waitForLog((line) => line.msg === 'opening the key store', 'the "opening the key store" log line');
      proc.child.kill('SIGTERM');
      const exit = await exitOf(proc);
      // Node's default for an unhandled SIGTERM is { code: null, signal: 'SIGTERM' }.
      expect(exit.signal).toBeNull();
      expect(proc.logLines().some((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM')).toBe(true);
    } finally {
      silent.close();
    }
  });

  it('flags win over the environment', async () => {
    const fromFlag = newDataDir();
    const fromEnv = newDataDir();
    const proc = run(['--data-dir', fromFlag, '--port', '0'], { OPENKMS_DATA_DIR: fromEnv, OPENKMS_PORT: 'not-a-port' });
    await listening(proc);
    expect(existsSync(join(fromFlag, 'root.key'))).toBe(true);
    expect(existsSync(fromEnv)).toBe(false);
    proc.child.kill('SIGTERM');
    expect(await exitOf(proc)).toEqual({ code: 0, signal: null });
  });

  it('a bad OPENKMS_ROOT_KEY exits 1 with a fatal log line that does not contain the value', async () => {
    const dataDir = newDataDir();
    const bad = `${'0123456789abcdef'.repeat(4).slice(0, 60)}WXYZ`;
    const proc = run(['--port', '0', '--data-dir', dataDir], { OPENKMS_ROOT_KEY: bad });
    expect(await exitOf(proc)).toEqual({ code: 1, signal: null });
    const fatal = proc.logLines().filter((line) => line.level === 60);
    expect(fatal.map((line) => line.msg)).toEqual(['openkms server failed to start']);
    expect(JSON.stringify(fatal[0]?.err)).toMatch(/root key/);
    for (const output of [proc.stdout(), proc.stderr()]) {
      expect(output).not.toContain(bad);
      expect(output).not.toContain(bad.slice(0, 32));
    }
    expect(proc.stdout()).not.toContain('openkms server listening');
    // It failed before creating a root key file or a token.
    expect(existsSync(join(dataDir, 'root.key'))).toBe(false);
    expect(existsSync(join(dataDir, 'tokens.json'))).toBe(false);
    expect(proc.stderr()).not.toContain('X-Auth-Token');
  });
});
