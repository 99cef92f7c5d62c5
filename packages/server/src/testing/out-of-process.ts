/**
 * The `openkms-server` command run as a real process (bin/openkms-server.js over dist/, so the
 * server must be built), for tests that kill, signal, restart or cluster it, and for the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import pino from 'pino';
import { openAccessKeys, parseConfig, provisionAccessKeys } from './server-internals';
import { tenantAccessKeys, writeTokenFile, type TestTenant } from './tenants';

/** The command's script; the same path from src/testing (ts-jest) and dist/testing. */
export const SERVER_BIN = resolve(__dirname, '../../bin/openkms-server.js');
/** Guard of every wait against a hang only; never a timing assertion. */
const DEFAULT_WAIT_MS = 30_000;
/** What is kept of each stream when the output is not kept whole. */
const TAIL_CHARS = 16_000;
/** How long an exited process's pipes may stay open (held by a child it left behind) before `exited` resolves anyway. */
const PIPE_CLOSE_GRACE_MS = 2_000;

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  readonly cwd?: string;
  /** The child's whole environment; default the parent's. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * false keeps only the last 16,000 characters of each stream and no parsed lines, for a long
   * run that logs every request; waits then see only the lines printed while they wait.
   */
  readonly keepOutput?: boolean;
  /** Limit of each wait, against a hang (default 30 s). */
  readonly waitMs?: number;
}

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited and its output has been read to the end. */
  readonly exited: Promise<ProcessExit>;
  stdout(): string;
  stderr(): string;
  /** The JSON lines (pino) printed on stdout so far; other lines are left out. */
  logLines(): Record<string, unknown>[];
  /** Resolves with the first non-undefined `find` of a stdout line, counting lines already printed. */
  waitForOutputLine<T>(find: (line: string) => T | undefined, what: string): Promise<T>;
  /** Resolves with the first JSON line on stdout that satisfies `predicate`, counting lines already printed. */
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  /** Resolves with the match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the first non-undefined `probe()`, asked again whenever the process prints or exits. */
  waitUntil<T>(probe: () => T | undefined, what: string): Promise<T>;
  /** Sends `signal` (default SIGTERM) unless the process has already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** stop('SIGKILL'). */
  kill(): Promise<ProcessExit>;
}

export interface ServerProcess extends NodeProcess {
  readonly url: string;
  /** The "listening" log line. */
  readonly listening: Record<string, unknown>;
  /** The tenants given to startServerProcess (their tokens in the token file, their access keys in the store); empty if none. */
  readonly tenants: readonly TestTenant[];
}

/** The parent's environment without any OPENKMS_* variable, plus `extra`. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENKMS_')));
  return { ...env, ...extra };
}

/** Output for an error message: whole when short, else its start (where a usage error is) and its end. */
function clip(text: string): string {
  return text.length <= 6000 ? text : `${text.slice(0, 3000)}\n…\n${text.slice(-3000)}`;
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Runs `node <args>` (args[0] is the script) with piped output that is always drained. */
export function spawnNode(args: readonly string[], options: SpawnOptions = {}): NodeProcess {
  const keep = options.keepOutput ?? true;
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const child = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const lines: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  const changeListeners = new Set<() => void>();
  const changed = () => changeListeners.forEach((listener) => listener());
  const keepText = (text: string, chunk: string) => (keep ? text + chunk : (text + chunk).slice(-TAIL_CHARS));

  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out = keepText(out, chunk);
    const complete = (partial + chunk).split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      if (keep) lines.push(line);
      lineListeners.forEach((listener) => listener(line));
    }
    changed();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err = keepText(err, chunk);
    changed();
  });

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolveExit) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exit) return;
      exit = { code, signal };
      resolveExit(exit);
      changed();
    };
    child.once('close', finish);
    child.once('exit', (code, signal) => setTimeout(() => finish(code, signal), PIPE_CLOSE_GRACE_MS).unref());
    child.once('error', () => finish(null, null));
  });

  const failure = (what: string, why: string) => new Error(`${why} ${what}\nstdout:\n${clip(out)}\nstderr:\n${clip(err)}`);

  function waitUntil<T>(probe: () => T | undefined, what: string): Promise<T> {
    return new Promise<T>((resolveWait, reject) => {
      const check = () => {
        let found: T | undefined;
        try {
          found = probe();
        } catch (error) {
          done();
          reject(error);
          return;
        }
        if (found !== undefined) {
          done();
          resolveWait(found);
        } else if (exit) {
          done();
          reject(failure(what, 'the process exited before'));
        }
      };
      const guard = setTimeout(() => {
        done();
        reject(failure(what, `within ${waitMs} ms, no`));
      }, waitMs);
      const done = () => {
        clearTimeout(guard);
        changeListeners.delete(check);
      };
      changeListeners.add(check);
      check();
    });
  }

  function waitForOutputLine<T>(find: (line: string) => T | undefined, what: string): Promise<T> {
    let found: T | undefined;
    const seen = (line: string) => {
      if (found === undefined) found = find(line);
    };
    lines.forEach(seen);
    lineListeners.add(seen);
    const waiting = waitUntil(() => found, what);
    const forget = () => lineListeners.delete(seen);
    waiting.then(forget, forget);
    return waiting;
  }

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    child,
    pid: child.pid!,
    exited,
    stdout: () => out,
    stderr: () => err,
    logLines: () => lines.map(parseJsonLine).filter((line): line is Record<string, unknown> => line !== undefined),
    waitForOutputLine,
    waitForLine: (predicate, what) =>
      waitForOutputLine((line) => {
        const parsed = parseJsonLine(line);
        return parsed && predicate(parsed) ? parsed : undefined;
      }, what),
    waitForStderr: (pattern) => waitUntil(() => pattern.exec(err) ?? undefined, `stderr matching ${pattern}`),
    waitUntil,
    stop,
    kill: () => stop('SIGKILL'),
  };
}

export interface OpenkmsOptions extends Omit<SpawnOptions, 'env'> {
  /** Added to the parent's environment, from which every OPENKMS_* variable is removed. */
  readonly env?: Record<string, string>;
}

/**
 * Runs `openkms-server <args>`. The working directory defaults to the system's temp directory,
 * so a default data directory (.openkms) never lands in the repository.
 */
export function runOpenkms(args: readonly string[], options: OpenkmsOptions = {}): NodeProcess {
  return spawnNode([SERVER_BIN, ...args], { ...options, cwd: options.cwd ?? tmpdir(), env: cleanEnvironment(options.env) });
}

/**
 * Before the process starts: writes the token file the server will read (granting each tenant's
 * token) and creates each tenant's access key in the store it will open, with the same settings
 * (its args and environment; the data directory must be given, as an absolute path).
 */
async function provisionTenants(args: readonly string[], options: OpenkmsOptions, tenants: readonly TestTenant[]): Promise<void> {
  const env: Record<string, string | undefined> = cleanEnvironment(options.env);
  const dataDirIndex = args.indexOf('--data-dir');
  const dataDir = dataDirIndex >= 0 ? args[dataDirIndex + 1] : env.OPENKMS_DATA_DIR;
  if (dataDir === undefined || !isAbsolute(dataDir)) {
    throw new Error('startServerProcess with tenants needs --data-dir (or OPENKMS_DATA_DIR) as an absolute path');
  }
  const config = parseConfig(['node', 'openkms-server', ...args], env);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  writeTokenFile(config.tokenFile, tenants);
  const opened = await openAccessKeys(config, pino({ level: 'silent' }));
  try {
    await provisionAccessKeys(opened.store, opened.accessKeys, tenantAccessKeys(tenants));
  } finally {
    await opened.close();
  }
}

/**
 * Starts `openkms-server --port 0 <args>` and resolves once it listens: at the primary's
 * "openkms cluster listening" line when `cluster` (--workers > 1), else at "openkms server listening".
 * With `tenants`, first writes their token file and stores their access keys (see provisionTenants).
 * A start that fails kills the process and rejects with its output.
 */
export async function startServerProcess(
  args: readonly string[],
  options: OpenkmsOptions & { readonly cluster?: boolean; readonly tenants?: readonly TestTenant[] } = {},
): Promise<ServerProcess> {
  const tenants = options.tenants ?? [];
  if (tenants.length > 0) await provisionTenants(args, options, tenants);
  const proc = runOpenkms(['--port', '0', ...args], options);
  const message = options.cluster ? 'openkms cluster listening' : 'openkms server listening';
  try {
    const listening = await proc.waitForLine((line) => line.msg === message, `the "${message}" log line`);
    return { ...proc, url: listening.url as string, listening, tenants };
  } catch (error) {
    await proc.kill();
    throw error;
  }
}
