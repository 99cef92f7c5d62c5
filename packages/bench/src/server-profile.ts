import { existsSync, readFileSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { setTimeout as sleep } from 'node:timers/promises';

/** Guard against a hang only: the hook answers within milliseconds. */
const PROFILE_TIMEOUT_MS = 60_000;

/**
 * Profiles a server process started with ./profile-hook while `work` runs: one SIGUSR2 to
 * start, one to stop, and the profile read from the file the hook writes.
 */
export async function profileDuring<T>(
  pid: number,
  file: string,
  work: () => Promise<T>,
): Promise<{ result: T; profile: Profiler.Profile }> {
  process.kill(pid, 'SIGUSR2');
  await waitFor(`${file}.started`, file);
  const result = await work();
  process.kill(pid, 'SIGUSR2');
  await waitFor(file, file);
  return { result, profile: JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile };
}

async function waitFor(path: string, file: string): Promise<void> {
  const deadline = Date.now() + PROFILE_TIMEOUT_MS;
  while (!existsSync(path)) {
    if (existsSync(`${file}.error`)) throw new Error(`the server's profiler failed: ${readFileSync(`${file}.error`, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the server's profiler did not write ${path}`);
    await sleep(20);
  }
}
