import { AREAS, LEVELS } from '../checks/check';
import { OUTCOMES, type ConformanceReport, type Outcome } from './report';

const HEADINGS: Record<Outcome, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  'expected-failure': 'xfail',
  'unexpectedly-passed': 'xpass',
  'not-implemented': 'n/impl',
};

/** The human summary: header, a table by area and level, then every non-passing check with its message. */
export function renderSummary(report: ConformanceReport): string {
  const lines: string[] = [];
  lines.push(`${report.kit.name} ${report.kit.version}`);
  lines.push(`spec    ${report.spec.title} ${report.spec.version}, sha256 ${report.spec.sha256}`);
  const other = report.target.otherProjectId ? `, other project ${report.target.otherProjectId}` : ', no second project (isolation checks skipped)';
  lines.push(`target  ${report.target.baseUrl}, project ${report.target.projectId}${other}, token ***`);
  lines.push(`options level ${report.options.level}, profile ${report.options.profile}, seed ${report.options.seed}, region ${report.options.region}${report.options.only ? `, only ${report.options.only}` : ''}`);
  lines.push(`keys    at most ${report.keys.planned} planned, ${report.keys.created} created; ${report.keys.cleanup.message}`);
  lines.push('');

  const widths = [16, 7, ...OUTCOMES.map((o) => Math.max(6, HEADINGS[o].length))];
  const row = (cells: (string | number)[]) =>
    cells.map((cell, i) => (i < 2 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!))).join(' ').trimEnd();
  lines.push(row(['area', 'level', ...OUTCOMES.map((o) => HEADINGS[o])]));
  for (const area of AREAS) {
    for (const level of LEVELS) {
      const group = report.results.filter((r) => r.area === area && r.level === level);
      if (group.length === 0) continue;
      lines.push(row([area, level, ...OUTCOMES.map((o) => group.filter((r) => r.outcome === o).length)]));
    }
  }
  lines.push(row(['total', '', ...OUTCOMES.map((o) => report.totals[o])]));

  const notable = report.results.filter((r) => r.outcome !== 'passed');
  if (notable.length > 0) lines.push('');
  for (const r of notable) lines.push(`${HEADINGS[r.outcome].toUpperCase().padEnd(7)} ${r.id} [${r.level} ${r.area}] ${r.message ?? r.expectation?.reason ?? ''}`.trimEnd());

  lines.push('');
  const mustFailures = report.results.filter((r) => r.outcome === 'failed' && r.level === 'MUST').length;
  const verdict = report.exitCode === 0 ? 'PASS' : `FAIL (${mustFailures} MUST check${mustFailures === 1 ? '' : 's'} failed)`;
  const count = report.results.length;
  // A pass with skipped checks is not a full pass; say so on the verdict line itself.
  const skipped = report.totals.skipped;
  const skippedNote = skipped > 0 ? ` (${skipped} skipped: not checked)` : '';
  lines.push(`${verdict}: ${count} check${count === 1 ? '' : 's'}${skippedNote}, ${report.requests} requests, ${(report.durationMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
