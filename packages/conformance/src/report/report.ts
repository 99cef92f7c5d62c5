import type { Area, Level, LevelOption } from '../checks/check';

/**
 * passed / failed / skipped, plus the two outcomes of a check the expectations file says fails:
 * `expected-failure` (it did) and `unexpectedly-passed` (it no longer does; reported, not fatal),
 * and `not-implemented`: a check of an optional operation the server has no route for.
 */
export type Outcome = 'passed' | 'failed' | 'skipped' | 'expected-failure' | 'unexpectedly-passed' | 'not-implemented';
export const OUTCOMES: readonly Outcome[] = ['passed', 'failed', 'skipped', 'expected-failure', 'unexpectedly-passed', 'not-implemented'];

/** What became of the keys the run created. */
export interface KeyUsage {
  /** At most how many keys the selected checks create (stated before the run). */
  readonly planned: number;
  /** How many the run did create. */
  readonly created: number;
  readonly cleanup: {
    /** `scheduled`: schedule-key-deletion (7 days) for every key; `not-supported`: the server has no such route. */
    readonly outcome: 'scheduled' | 'partial' | 'not-supported' | 'nothing-to-do' | 'disabled';
    readonly scheduled: number;
    readonly failed: number;
    readonly message: string;
  };
}

export interface CheckResult {
  readonly id: string;
  readonly level: Level;
  readonly area: Area;
  readonly title: string;
  readonly reference: string;
  /** The documents (and sections) the check enforces, or "OpenKMS reference behaviour: …". */
  readonly authority: string;
  /** The answers its rejections may be (`400 KMS.1101`, `KMS.*` any code); empty when it checks none. */
  readonly acceptedCodes: readonly string[];
  /** Keys the check created. */
  readonly keysCreated: number;
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
  readonly options: {
    readonly level: LevelOption;
    readonly profile: 'core' | 'extended' | 'all';
    readonly only: string | null;
    readonly seed: number;
    readonly region: string;
  };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requests: number;
  readonly totals: Readonly<Record<Outcome, number>>;
  readonly results: readonly CheckResult[];
  readonly keys: KeyUsage;
  /** 1 when a MUST check (or, at level reference, a REFERENCE check) failed without an expectation saying so, else 0. */
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
