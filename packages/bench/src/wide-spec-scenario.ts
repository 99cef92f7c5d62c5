import type { OpenkmsSetup } from './openkms-server';
import type { Target } from './processes';
import { notRun, SCENARIO, type MeasuredRow, type Row } from './scenarios';
import type { StartWideSpecServer } from './wide-spec-hook';

/** Measures one scenario on a running server for the given seconds. */
export type MeasureFor = (scenario: string, server: Target, seconds: number) => Promise<MeasuredRow>;

/**
 * The 30-operation row and the 6-operation row it is judged against, measured in pairs: both
 * servers run side by side (the idle one costs no CPU) and the load alternates 6, 30, 30, 6, in
 * half-length runs, so a machine that slows down or speeds up during the runs shifts both rows
 * alike. Separate runs minutes apart differ by more than the 5% the target allows.
 *
 * While no start function is wired in, the 30-operation row is "not run" (and its target not
 * judged, rather than judged on a stand-in).
 */
export async function wideSpecRows(
  startWide: StartWideSpecServer | undefined,
  startSix: (setup: OpenkmsSetup) => Promise<Target>,
  setup: OpenkmsSetup,
  seconds: number,
  measure: MeasureFor,
): Promise<Row[]> {
  if (!startWide) return [notRun(SCENARIO.wideSpec, 'its server is not wired in yet (src/wide-spec-hook.ts)')];
  const half = Math.max(1, Math.round(seconds / 2));
  const six = await startSix(setup);
  try {
    const wide = await startWide(setup);
    try {
      const sixFirst = await measure(SCENARIO.sixSpecPaired, six, half);
      const wideFirst = await measure(SCENARIO.wideSpec, wide, half);
      const wideSecond = await measure(SCENARIO.wideSpec, wide, half);
      const sixSecond = await measure(SCENARIO.sixSpecPaired, six, half);
      return [combine(sixFirst, sixSecond), combine(wideFirst, wideSecond)];
    } finally {
      await wide.stop();
    }
  } finally {
    await six.stop();
  }
}

/** Two runs of one scenario as one row: mean rate and median, worst p99 and max, peak RSS. */
export function combine(a: MeasuredRow, b: MeasuredRow): MeasuredRow {
  return {
    scenario: a.scenario,
    status: 'measured',
    requestsPerSecond: (a.requestsPerSecond + b.requestsPerSecond) / 2,
    latencyP50Ms: (a.latencyP50Ms + b.latencyP50Ms) / 2,
    latencyP99Ms: Math.max(a.latencyP99Ms, b.latencyP99Ms),
    latencyMaxMs: Math.max(a.latencyMaxMs, b.latencyMaxMs),
    requests: a.requests + b.requests,
    peakRssMb: Math.max(a.peakRssMb, b.peakRssMb),
  };
}
