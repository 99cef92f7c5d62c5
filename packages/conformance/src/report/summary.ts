import { AREAS } from '../checks/check';
import { OUTCOMES, type ConformanceReport } from './report';
import { levelsOf, verdictLine } from './verdict';

/** Short column headings; an outcome without one shows its own name. */
const HEADINGS: Readonly<Record<string, string>> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  'expected-failure': 'xfail',
  'unexpectedly-passed': 'xpass',
  'not-implemented': 'n/impl',
};
export const outcomeHeading = (outcome: string): string => HEADINGS[outcome] ?? outcome;

/** The human summary: header, a table by area and level, then every non-passing check with its message. */
export function renderSummary(report: ConformanceReport): string {
  const lines: string[] = [];
  lines.push(`${report.kit.name} ${report.kit.version}`);
  lines.push(`spec    ${report.spec.title} ${report.spec.version}, sha256 ${report.spec.sha256}`);
  const other = report.target.otherProjectId
    ? `, other project ${report.target.otherProjectId}`
    : ', no second project (isolation checks skipped)';
  lines.push(`target  ${report.target.baseUrl}, project ${report.target.projectId}${other}, token ***`);
  lines.push(
    `options level ${report.options.level}, profile ${report.options.profile}, seed ${report.options.seed}, region ${report.options.region}${report.options.only ? `, only ${report.options.only}` : ''}`,
  );
  lines.push(`keys    at most ${report.keys.planned} planned, ${report.keys.created} created; ${report.keys.cleanup.message}`);
  lines.push('');

  const levelWidth = Math.max(7, ...levelsOf(report.results).map((l) => l.length));
  const widths = [16, levelWidth, ...OUTCOMES.map((o) => Math.max(6, outcomeHeading(o).length))];
  const row = (cells: (string | number)[]) =>
    cells
      .map((cell, i) => (i < 2 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!)))
      .join(' ')
      .trimEnd();
  lines.push(row(['area', 'level', ...OUTCOMES.map((o) => outcomeHeading(o))]));
  for (const area of AREAS) {
    for (const level of levelsOf(report.results)) {
      const group = report.results.filter((r) => r.area === area && r.level === level);
      if (group.length === 0) continue;
      lines.push(row([area, level, ...OUTCOMES.map((o) => group.filter((r) => r.outcome === o).length)]));
    }
  }
  lines.push(row(['total', '', ...OUTCOMES.map((o) => report.totals[o])]));

  const notable = report.results.filter((r) => r.outcome !== 'passed');
  if (notable.length > 0) lines.push('');
  for (const r of notable)
    lines.push(
      `${outcomeHeading(r.outcome).toUpperCase().padEnd(7)} ${r.id} [${r.level} ${r.area}] ${r.message ?? r.expectation?.reason ?? ''}`.trimEnd(),
    );

  lines.push('');
  lines.push(verdictLine(report));
  return `${lines.join('\n')}\n`;
}
