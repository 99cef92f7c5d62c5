import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** The built command, as a user runs it (the nx test target builds dist first). */
export const BIN = join(dirname(require.resolve('@openkms/conformance/package.json')), 'bin/openkms-conformance.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** Runs `node bin/openkms-conformance.js …` with piped (non-TTY) output. */
export function runCli(args: readonly string[], options: { cwd?: string; command?: readonly string[] } = {}): Promise<CliRun> {
  const [file, ...prefix] = options.command ?? [process.execPath, BIN];
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(file!, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, elapsedMs: Math.round(performance.now() - started) }));
  });
}
