import type { Area, Level } from '../checks/check';

/**
 * passed / failed / skipped, plus the two outcomes of a check the expectations file says fails:
 * `expected-failure` (it did) and `unexpectedly-passed` (it no longer does; reported, not fatal).
 */
export type Outcome = 'passed' | 'failed' | 'skipped' | 'expected-failure' | 'unexpectedly-passed';
export const OUTCOMES: readonly Outcome[] = ['passed', 'failed', 'skipped', 'expected-failure', 'unexpectedly-passed'];

export interface CheckResult {
  readonly id: string;
  readonly level: Level;
  readonly area: Area;
  readonly title: string;
  readonly reference: string;
  readonly outcome: Outcome;
  /** Why it failed or was skipped; never holds tokens or data key plaintext. */
  readonly message?: string;
  /** The expectations file's reason, when it named this check. */
  readonly expectation?: { readonly expect: 'fail' | 'skip'; readonly reason: string };
  readonly durationMs: number;
  readonly requests: number;
  /** The check's last requests and their answers, for the HTML and Markdown reports; absent when it sent none. */
  readonly exchanges?: readonly RecordedExchange[];
  /** How many earlier requests of the check are not in `exchanges`. */
  readonly omittedExchanges?: number;
}

export interface ConformanceReport {
  readonly kit: { readonly name: string; readonly version: string };
  readonly spec: { readonly path: string; readonly sha256: string; readonly title: string; readonly version: string };
  readonly target: { readonly baseUrl: string; readonly projectId: string; readonly otherProjectId: string | null; readonly token: '***' };
  readonly options: { readonly level: 'must' | 'should'; readonly profile: 'core' | 'extended' | 'all'; readonly only: string | null; readonly seed: number; readonly region: string };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requests: number;
  readonly totals: Readonly<Record<Outcome, number>>;
  readonly results: readonly CheckResult[];
  /** 1 when a MUST check failed without an expectation saying so, else 0. */
  readonly exitCode: 0 | 1;
}

export function countOutcomes(results: readonly CheckResult[]): Record<Outcome, number> {
  const totals = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const result of results) totals[result.outcome] += 1;
  return totals;
}

/**
 * One request of a check and what came back, as the reports show it: credential headers masked,
 * fields the spec marks x-sensitive redacted, tokens masked wherever they appear, long bodies cut.
 */
export interface RecordedExchange {
  readonly request: {
    readonly method: string;
    /** Path after the base URL. */
    readonly path: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: string;
  };
  readonly response?: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string };
  /** Why no response came (connection refused, time limit). */
  readonly error?: string;
}
