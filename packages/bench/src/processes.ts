import { readFileSync } from 'node:fs';
import { spawnNode, startServerProcess, type NodeProcess } from '@openkms/server/testing';

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

function targetOf(name: string, proc: NodeProcess, url: string): Target {
  return {
    name,
    url,
    pid: proc.pid,
    rss: () => rssOf(proc.pid),
    stop: async () => {
      await proc.stop();
    },
  };
}

/**
 * Spawns `node <args>` and waits until `ready` finds its URL in a stdout line. Its stdout keeps
 * being drained (a full pipe would stall the server) but only a short tail of it is kept.
 */
export async function startTarget(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: (line: string) => string | undefined,
): Promise<Target> {
  const proc = spawnNode(args, { env, keepOutput: false, waitMs: START_TIMEOUT_MS });
  try {
    return targetOf(name, proc, await proc.waitForOutputLine(ready, `${name} to start`));
  } catch (error) {
    await proc.kill();
    throw error;
  }
}

/**
 * Starts the real `openkms-server --port 0 <args>` (with `--workers` when more than one) and
 * waits until it listens; for a cluster, until the primary says so (it does not wait for every worker).
 */
export async function startOpenkmsTarget(
  name: string,
  args: readonly string[],
  options: { env?: Record<string, string>; workers?: number } = {},
): Promise<Target> {
  const workers = options.workers ?? 1;
  const proc = await startServerProcess(workers > 1 ? [...args, '--workers', String(workers)] : args, {
    env: options.env,
    keepOutput: false,
    waitMs: START_TIMEOUT_MS,
    cluster: workers > 1,
  });
  return targetOf(name, proc, proc.url);
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
