/**
 * Preloaded into the server process by the bench (`node --require`), so the server's own code
 * stays unaware of profiling. When BENCH_CPU_PROFILE_FILE is set, the first SIGUSR2 starts
 * V8's CPU profiler through node:inspector and writes `<file>.started`; the second stops it
 * and writes the profile to `<file>` (by rename, so the bench never reads half a file).
 * Profiling only the load window keeps start-up and key creation out of the figures.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const file = process.env.BENCH_CPU_PROFILE_FILE;
const intervalUs = Number(process.env.BENCH_CPU_PROFILE_INTERVAL_US ?? '200');
delete process.env.BENCH_CPU_PROFILE_FILE;
delete process.env.BENCH_CPU_PROFILE_INTERVAL_US;

async function start(session: Session): Promise<void> {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  writeFileSync(`${file}.started`, '');
}

async function stop(session: Session): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync(`${file}.tmp`, JSON.stringify(profile));
  renameSync(`${file}.tmp`, file!);
}

if (file) {
  const session = new Session();
  let running = false;
  process.on('SIGUSR2', () => {
    const step = running ? stop(session) : start(session);
    running = !running;
    // The bench waits for the file; a failure must reach it rather than leave it waiting.
    step.catch((error: unknown) => writeFileSync(`${file}.error`, String((error as Error).stack ?? error)));
  });
}
