import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Guard against a hang only. */
const START_TIMEOUT_MS = 60_000;

export interface Target {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Resident set size of the process now, in bytes (from /proc). */
  rss(): number;
  stop(): Promise<void>;
}

/**
 * Spawns a server process and waits until `ready` finds its URL in a stdout line. Its
 * stdout keeps being drained (a full pipe would stall the server) but is not kept.
 */
export function startTarget(name: string, args: readonly string[], env: NodeJS.ProcessEnv, ready: (line: string) => string | undefined): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    let pending = '';
    let stderr = '';
    let found = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 10_000) stderr += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (found) return;
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const url = ready(line);
        if (!url) continue;
        found = true;
        clearTimeout(timer);
        resolve({
          name,
          url,
          pid: child.pid!,
          rss: () => rssOf(child.pid!),
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
        return;
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!found) reject(new Error(`${name} exited with ${code} before it was ready:\n${stderr}`));
    });
  });
}

/** RSS of a process and its children (a cluster's workers), in bytes, from /proc. */
function rssOf(pid: number): number {
  let total = 0;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    total += match ? Number(match[1]) * 1024 : 0;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children ? children.split(/\s+/) : []) total += rssOf(Number(child));
  } catch {
    // The process (or a child) exited between listing and reading: it uses no memory now.
  }
  return total;
}

/** Samples a target's RSS while `work` runs; returns the work's result and the peak RSS. */
export async function withPeakRss<T>(target: Target, work: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peakRss = target.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, target.rss());
  }, 200);
  try {
    const result = await work();
    return { result, peakRss: Math.max(peakRss, target.rss()) };
  } finally {
    clearInterval(sampler);
  }
}
