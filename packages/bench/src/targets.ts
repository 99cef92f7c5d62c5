/**
 * The speed targets of issues 14 and 15, judged from one run's rows. Ratios, not absolute figures:
 * the same bench gives the plain Express baseline 7,800 req/s on one 2-core machine and
 * 5,400 on another.
 */
import { SCENARIO, type MeasuredRow, type Row } from './scenarios';

export type VerdictStatus = 'met' | 'NOT MET' | 'NOT JUDGED' | 'info';

export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly status: VerdictStatus;
}

export interface TargetSettings {
  readonly steadyRate: number;
  readonly largeKeys: number;
}

export const EXPRESS_RATIO_MIN = 0.6;
export const STEADY_P99_MAX_MS = 10;
/** A steady run that delivers less than this share of its rate did not hold the rate. */
export const STEADY_RATE_HELD = 0.95;
export const WIDE_SPEC_TOLERANCE = 0.05;
export const LARGE_STORE_RATIO_MIN = 0.9;
/** Verifying an access key signature may cost at most this share of create-datakey throughput (issue 15). */
export const SIGNATURE_COST_MAX = 0.1;

/** Exit code of a run that completed but missed a target (1 is a run that failed). */
export const EXIT_TARGET_MISSED = 2;

const ratio = (value: number) => `${value.toFixed(2)}×`;

export function judge(rows: readonly Row[], settings: TargetSettings): Verdict[] {
  const byName = new Map(rows.map((row) => [row.scenario, row]));
  const measured = (name: string): MeasuredRow | undefined => {
    const row = byName.get(name);
    return row?.status === 'measured' ? row : undefined;
  };
  /** A target whose rows were not all measured is not judged; the reason names the first missing row. */
  const needing = (target: string, names: readonly string[], decide: (...rows: MeasuredRow[]) => Omit<Verdict, 'target'>): Verdict => {
    const found = names.map(measured);
    const missing = names.find((_, i) => !found[i]);
    if (missing !== undefined) {
      const row = byName.get(missing);
      return { target, status: 'NOT JUDGED', measured: `"${missing}" not run${row?.status === 'not run' ? `: ${row.reason}` : ''}` };
    }
    return { target, ...decide(...(found as MeasuredRow[])) };
  };
  const met = (ok: boolean): VerdictStatus => (ok ? 'met' : 'NOT MET');

  const expressTarget = `create-datakey ≥ ${EXPRESS_RATIO_MIN}× plain Express`;
  const expressRatio = needing(expressTarget, [SCENARIO.datakey, SCENARIO.express], (full, express) => {
    const value = full.requestsPerSecond / express.requestsPerSecond;
    return { measured: ratio(value), status: met(value >= EXPRESS_RATIO_MIN) };
  });

  const steadyTarget = `p99 ≤ ${STEADY_P99_MAX_MS} ms at a steady ${settings.steadyRate} req/s`;
  const steadyP99 = needing(steadyTarget, [SCENARIO.steady(settings.steadyRate)], (steady) => {
    if (steady.requestsPerSecond < STEADY_RATE_HELD * settings.steadyRate) {
      const held = `${Math.round(steady.requestsPerSecond)} req/s`;
      return { measured: `rate not held: ${held}, p99 ${steady.latencyP99Ms} ms`, status: 'NOT MET' };
    }
    return { measured: `${steady.latencyP99Ms} ms`, status: met(steady.latencyP99Ms <= STEADY_P99_MAX_MS) };
  });

  const wideTarget = `30-operation spec within ${WIDE_SPEC_TOLERANCE * 100}% of 6 operations`;
  const wideSpec = needing(wideTarget, [SCENARIO.wideSpec, SCENARIO.sixSpecPaired], (wide, six) => {
    const within = Math.abs(wide.requestsPerSecond - six.requestsPerSecond) <= WIDE_SPEC_TOLERANCE * six.requestsPerSecond;
    return { measured: ratio(wide.requestsPerSecond / six.requestsPerSecond), status: met(within) };
  });

  const largeTarget = `${settings.largeKeys} keys within 10% of 10 keys`;
  const largeStore: Verdict =
    settings.largeKeys === 0
      ? { target: 'a large store within 10% of 10 keys', status: 'NOT JUDGED', measured: 'skipped by --large-keys 0' }
      : needing(largeTarget, [SCENARIO.largeStore(settings.largeKeys), SCENARIO.datakey], (large, small) => {
          const value = large.requestsPerSecond / small.requestsPerSecond;
          return { measured: ratio(value), status: met(value >= LARGE_STORE_RATIO_MIN) };
        });

  const signatureTarget = `signature verification costs ≤ ${SIGNATURE_COST_MAX * 100}% of create-datakey throughput`;
  const signatureCost = needing(signatureTarget, [SCENARIO.akskSigning, SCENARIO.tokenPaired], (signed, token) => {
    const value = signed.requestsPerSecond / token.requestsPerSecond;
    // Faster with signatures than without is run-to-run noise, not a negative cost.
    const cost = value >= 1 ? 'no cost measured' : `costs ${Math.round((1 - value) * 100)}%`;
    return { measured: `AK/SK at ${ratio(value)} of token (${cost})`, status: met(value >= 1 - SIGNATURE_COST_MAX) };
  });

  const nodeRatio = needing('(for reference) full stack / node:http', [SCENARIO.datakey, SCENARIO.nodeHttp], (full, node) => ({
    measured: ratio(full.requestsPerSecond / node.requestsPerSecond),
    status: 'info',
  }));

  return [expressRatio, steadyP99, wideSpec, largeStore, signatureCost, nodeRatio];
}

/** 0 when no target was missed; targets not judged do not fail a run, they are printed as such. */
export function exitCodeFor(verdicts: readonly Verdict[]): number {
  return verdicts.some((verdict) => verdict.status === 'NOT MET') ? EXIT_TARGET_MISSED : 0;
}
