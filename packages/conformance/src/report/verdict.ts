import type { CheckResult, ConformanceReport } from './report';

/** Levels in the order reports show them; a level this list does not know comes last. */
const LEVEL_ORDER = ['MUST', 'SHOULD', 'REFERENCE'];

/** The levels present in the results, MUST first. */
export function levelsOf(results: readonly CheckResult[]): string[] {
  const rank = (level: string) => (LEVEL_ORDER.includes(level) ? LEVEL_ORDER.indexOf(level) : LEVEL_ORDER.length);
  return [...new Set(results.map((r) => r.level as string))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Levels whose failures fail the run: MUST, and REFERENCE when the run was asked to hold the server to it. */
function fatalLevels(report: ConformanceReport): string[] {
  // Compared as a string: the option type of this kit version may not know `reference` yet.
  return (report.options.level as string) === 'reference' ? ['MUST', 'REFERENCE'] : ['MUST'];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The verdict and every failure behind it, e.g. `PASS, 1 SHOULD failed` or
 * `FAIL (1 MUST check failed), 2 SHOULD failed, 1 expected failure`: never a bare PASS over a failed check.
 */
export function verdict(report: ConformanceReport): string {
  const failed = (level: string) => report.results.filter((r) => r.outcome === 'failed' && r.level === level).length;
  const fatal = fatalLevels(report);
  const levels = levelsOf(report.results);
  const fatalParts = levels.filter((l) => fatal.includes(l) && failed(l) > 0).map((l) => `${plural(failed(l), `${l} check`)} failed`);
  const otherParts = levels.filter((l) => !fatal.includes(l) && failed(l) > 0).map((l) => `${failed(l)} ${l} failed`);
  const count = (outcome: string) => report.results.filter((r) => (r.outcome as string) === outcome).length;
  if (count('expected-failure') > 0) otherParts.push(plural(count('expected-failure'), 'expected failure'));
  if (count('unexpectedly-passed') > 0) otherParts.push(`${count('unexpectedly-passed')} unexpectedly passed`);
  if (count('not-implemented') > 0) otherParts.push(`${count('not-implemented')} not implemented`);
  const head = report.exitCode === 0 ? 'PASS' : `FAIL${fatalParts.length > 0 ? ` (${fatalParts.join(', ')})` : ''}`;
  return [head, ...otherParts].join(', ');
}

/** The last line of every human report: the verdict, then what was run. */
export function verdictLine(report: ConformanceReport): string {
  const skipped = report.results.filter((r) => r.outcome === 'skipped').length;
  // A pass with skipped checks is not a full pass; say so on the verdict line itself.
  const skippedNote = skipped > 0 ? ` (${skipped} skipped: not checked)` : '';
  const checks = plural(report.results.length, 'check');
  return `${verdict(report)}: ${checks}${skippedNote}, ${report.requests} requests, ${(report.durationMs / 1000).toFixed(1)} s`;
}
