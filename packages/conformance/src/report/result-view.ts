import type { CheckResult, ConformanceReport, RecordedExchange } from './report';
import { levelsOf } from './verdict';

/**
 * The fields a check result gains with the document authorities (the documents a rule comes
 * from, the answers it accepts); optional here so the renderers read reports with or without them.
 */
type WithAuthority = CheckResult & { readonly authority?: string; readonly acceptedCodes?: readonly string[] };

/** The documents a check enforces; older results only have the spec reference. */
export function authorityOf(result: CheckResult): string {
  return (result as WithAuthority).authority ?? result.reference;
}

export function acceptedCodesOf(result: CheckResult): readonly string[] {
  return (result as WithAuthority).acceptedCodes ?? [];
}

/** Failures first, then what else needs a look, then passes. */
const OUTCOME_RANK: Readonly<Record<string, number>> = {
  failed: 0,
  'unexpectedly-passed': 1,
  'expected-failure': 2,
  'not-implemented': 3,
  skipped: 4,
  passed: 5,
};

/** The results in report order: failed first (MUST before SHOULD), then the rest, each group in run order. */
export function failuresFirst(results: readonly CheckResult[]): CheckResult[] {
  const levels = levelsOf(results);
  const rank = (r: CheckResult) => (OUTCOME_RANK[r.outcome] ?? 4) * 100 + levels.indexOf(r.level);
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}

/** Areas in the order their checks ran. */
export function areasOf(report: ConformanceReport): string[] {
  return [...new Set(report.results.map((r) => r.area as string))];
}

/** An exchange as HTTP/1.1-like text: request line, headers, body. */
export function requestText(exchange: RecordedExchange): string {
  const { method, path, headers, body } = exchange.request;
  return [`${method} ${path}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(body === undefined ? [] : ['', body])].join(
    '\n',
  );
}

export function responseText(exchange: RecordedExchange): string {
  if (!exchange.response) return `no response: ${exchange.error ?? 'unknown error'}`;
  const { status, headers, body } = exchange.response;
  return [`HTTP ${status}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', body].join('\n');
}

/** The optional key usage of a report (planned, created, cleanup), when the kit version records it. */
export function keyUsageLine(report: ConformanceReport): string | undefined {
  const keys = (report as ConformanceReport & { keys?: { planned: number; created: number; cleanup?: { message?: string } } }).keys;
  if (!keys) return undefined;
  return `keys: at most ${keys.planned} planned, ${keys.created} created${keys.cleanup?.message ? `; cleanup: ${keys.cleanup.message}` : ''}`;
}
