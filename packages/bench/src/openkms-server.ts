/** How the bench starts the reference server: one place for its command line and environment. */
import { dirname, join } from 'node:path';
import { startTarget, type Target } from './processes';

export const SERVER_BIN = join(dirname(require.resolve('@openkms/server/package.json')), 'bin/openkms-server.js');

/** What every server of one bench run shares: the same store, tokens and root key. */
export interface OpenkmsSetup {
  readonly dataDir: string;
  readonly tokenFile: string;
  readonly rootKeyHex: string;
}

export interface StartOptions {
  readonly workers?: number;
  /** Preloads ./profile-hook into the server, which then profiles on SIGUSR2 into this file. */
  readonly profileFile?: string;
}

/** The server's command-line arguments after the script (shared with other ways to start it). */
export function openkmsArgs(setup: OpenkmsSetup, workers = 1): string[] {
  const args = ['--port', '0', '--data-dir', setup.dataDir, '--token-file', setup.tokenFile, '--max-keys-per-project', '1000000'];
  if (workers > 1) args.push('--workers', String(workers));
  return args;
}

/** The bench's own environment without any OPENKMS_ setting of the shell, plus the run's root key. */
export function openkmsEnv(setup: OpenkmsSetup): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENKMS_')));
  return { ...env, OPENKMS_ROOT_KEY: setup.rootKeyHex };
}

/** The URL in the server's "listening" log line, or undefined for any other line. */
export function listeningUrl(line: string, workers = 1): string | undefined {
  // A cluster's primary announces itself, not each worker, so the bench measures the primary's line.
  const ready = workers > 1 ? '"openkms cluster listening"' : '"openkms server listening"';
  if (!line.includes(ready)) return undefined;
  return (JSON.parse(line) as { url: string }).url;
}

export function startOpenkms(setup: OpenkmsSetup, options: StartOptions = {}): Promise<Target> {
  const workers = options.workers ?? 1;
  const preload = options.profileFile ? ['--require', join(__dirname, 'profile-hook.js')] : [];
  const env = options.profileFile ? { ...openkmsEnv(setup), BENCH_CPU_PROFILE_FILE: options.profileFile } : openkmsEnv(setup);
  const args = [...preload, SERVER_BIN, ...openkmsArgs(setup, workers)];
  return startTarget(`openkms x${workers}`, args, env, (line) => listeningUrl(line, workers));
}
