/**
 * The `openkms-server` command run as a real process (bin/openkms-server.js over ../dist, which
 * the nx test target builds), for tests that kill, signal or restart it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(__dirname, '../bin/openkms-server.js');
/** Guard against a hang only; never a timing assertion. */
const WAIT_MS = 20_000;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface OpenkmsProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first JSON line on stdout that satisfies `predicate`, counting lines already printed. */
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
}

export interface ServerProcess extends OpenkmsProcess {
  readonly url: string;
}

/** The parent's environment without any OPENKMS_* variable, plus `extra`. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENKMS_')));
  return { ...env, ...extra };
}

/** Runs `openkms-server <args>` with a clean environment plus `env`. */
export function runOpenkms(args: readonly string[], options: { readonly cwd: string; readonly env?: Record<string, string> }): OpenkmsProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnvironment(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    watchers.forEach((watcher) => watcher());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  void exited.then(() => watchers.forEach((watcher) => watcher()));
  let exitedNow = false;
  void exited.then(() => (exitedNow = true));

  const jsonLines = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitForLine: (predicate, what) =>
      new Promise((resolveLine, reject) => {
        const check = () => {
          const found = jsonLines().find(predicate);
          if (found) {
            done();
            resolveLine(found);
          } else if (exitedNow) {
            done();
            reject(new Error(`openkms-server exited before printing ${what}; stderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${what} within ${WAIT_MS} ms; stderr: ${err}`));
        }, WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      }),
  };
}

/** Starts the server and resolves once it listens. */
export async function startServerProcess(args: readonly string[], options: { readonly cwd: string; readonly env?: Record<string, string> }): Promise<ServerProcess> {
  const proc = runOpenkms(['--port', '0', ...args], options);
  const listening = await proc.waitForLine((line) => line.msg === 'openkms server listening', 'the "listening" log line');
  return { ...proc, url: listening.url as string };
}

/** SIGTERM, then waits for the exit. */
export async function stopProcess(proc: OpenkmsProcess): Promise<Exit> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  return proc.exited;
}

/** POSTs a JSON body to `/v1.0/{projectId}/kms/{operation}` with a token; resolves with the status and parsed body. */
export async function postKms(
  url: string,
  auth: { readonly projectId: string; readonly token: string },
  operation: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1.0/${auth.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': auth.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
