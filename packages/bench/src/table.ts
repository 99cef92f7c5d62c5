import type { Row } from './scenarios';
import type { Verdict } from './targets';

const WIDTHS = [44, 9, 8, 8, 8, 9];

const line = (cells: ReadonlyArray<string | number>) =>
  cells.map((cell, i) => (i === 0 ? String(cell).padEnd(WIDTHS[0]!) : String(cell).padStart(WIDTHS[i]!))).join('  ');

/** The README's table: one line per scenario; a scenario not run says why instead of figures. */
export function formatTable(rows: readonly Row[]): string[] {
  const lines = [line(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'RSS MB'])];
  for (const row of rows) {
    if (row.status === 'not run') {
      lines.push(`${row.scenario.padEnd(WIDTHS[0]!)}  not run: ${row.reason}`);
      continue;
    }
    const figures = [Math.round(row.requestsPerSecond), row.latencyP50Ms, row.latencyP99Ms, row.latencyMaxMs, row.peakRssMb.toFixed(0)];
    lines.push(line([row.scenario, ...figures]));
  }
  return lines;
}

const LABEL: Record<Verdict['status'], string> = {
  met: 'met       ',
  'NOT MET': 'NOT MET   ',
  'NOT JUDGED': 'NOT JUDGED',
  info: 'info      ',
};

/** One line per target: its verdict, the target and the figure it was judged on. */
export function formatVerdicts(verdicts: readonly Verdict[]): string[] {
  return verdicts.map((verdict) => `${LABEL[verdict.status]}  ${verdict.target}: ${verdict.measured}`);
}
