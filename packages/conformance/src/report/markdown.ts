import { OUTCOMES, type CheckResult, type ConformanceReport } from './report';
import { acceptedCodesOf, areasOf, authorityOf, failuresFirst, keyUsageLine, requestText, responseText } from './result-view';
import { outcomeHeading } from './summary';
import { levelsOf, verdictLine } from './verdict';

/** Text in a Markdown table cell or line: no HTML, no Markdown syntax, no line breaks, no pipes. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/\r?\n|\r/g, ' ');
}

/** A fenced block whose fence is longer than any backtick run inside, so no content can close it. */
export function codeBlock(text: string, info = 'text'): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

const MARK: Readonly<Record<string, string>> = { failed: '❌', passed: '✅', 'expected-failure': '⚠️', 'unexpectedly-passed': '⚠️' };
const mark = (outcome: string) => MARK[outcome] ?? '➖';
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function details(result: CheckResult): string[] {
  const lines = [
    `#### ${mark(result.outcome)} \`${result.id}\` ${result.level} · ${escapeMarkdown(result.area)} · ${outcomeHeading(result.outcome)}`,
    '',
  ];
  lines.push(escapeMarkdown(result.title), '');
  lines.push(`- **authority**: ${escapeMarkdown(authorityOf(result))}`);
  if (authorityOf(result) !== result.reference) lines.push(`- **spec rule**: ${escapeMarkdown(result.reference)}`);
  const accepted = acceptedCodesOf(result);
  if (accepted.length > 0) lines.push(`- **accepted answers**: ${escapeMarkdown(accepted.join(', '))}`);
  if (result.expectation)
    lines.push(`- **expectations file**: ${result.expectation.expect} (${escapeMarkdown(result.expectation.reason)})`);
  lines.push('', codeBlock(result.message ?? '(no message)'), '');
  const last = result.exchanges?.at(-1);
  if (last) {
    const count = result.exchanges!.length + (result.omittedExchanges ?? 0);
    lines.push(`<details><summary>last of ${count} request${count === 1 ? '' : 's'} and its response</summary>`, '');
    lines.push(codeBlock(requestText(last), 'http'), '', codeBlock(responseText(last), 'http'), '', '</details>', '');
  }
  return lines;
}

/**
 * Markdown for a CI step summary (e.g. appended to $GITHUB_STEP_SUMMARY): the verdict, counts by
 * area and level, every failed check with its authority and last exchange, then a table per area.
 */
export function renderMarkdown(report: ConformanceReport): string {
  const lines: string[] = [];
  lines.push(`## ${report.exitCode === 0 ? '✅' : '❌'} ${escapeMarkdown(verdictLine(report))}`, '');
  lines.push(
    `${escapeMarkdown(`${report.kit.name} ${report.kit.version}`)} judged ${escapeMarkdown(report.target.baseUrl)} (project ${escapeMarkdown(report.target.projectId)}) by ${escapeMarkdown(`${report.spec.title} ${report.spec.version}`)}, spec sha256 \`${report.spec.sha256}\`.`,
  );
  const o = report.options;
  lines.push(
    `Level ${escapeMarkdown(o.level)}, profile ${escapeMarkdown(o.profile)}, seed ${o.seed}, region ${escapeMarkdown(o.region)}${o.only ? `, only ${escapeMarkdown(o.only)}` : ''}.`,
  );
  const keys = keyUsageLine(report);
  if (keys) lines.push(escapeMarkdown(keys));
  lines.push('');

  const outcomes = OUTCOMES.filter(
    (outcome) => report.results.some((r) => r.outcome === outcome) || outcome === 'passed' || outcome === 'failed',
  );
  lines.push(`| area | level | ${outcomes.map(outcomeHeading).join(' | ')} |`, `| --- | --- | ${outcomes.map(() => '---:').join(' | ')} |`);
  for (const area of areasOf(report)) {
    for (const level of levelsOf(report.results)) {
      const group = report.results.filter((r) => r.area === area && r.level === level);
      if (group.length > 0)
        lines.push(
          `| ${escapeMarkdown(area)} | ${level} | ${outcomes.map((oc) => group.filter((r) => r.outcome === oc).length).join(' | ')} |`,
        );
    }
  }
  lines.push(`| **total** | | ${outcomes.map((oc) => `**${report.results.filter((r) => r.outcome === oc).length}**`).join(' | ')} |`, '');

  const needsALook = failuresFirst(report.results).filter(
    (r) => r.outcome === 'failed' || r.outcome === 'unexpectedly-passed' || r.outcome === 'expected-failure',
  );
  if (needsALook.length > 0) {
    lines.push('### Failures', '');
    for (const result of needsALook) lines.push(...details(result));
  }

  for (const area of areasOf(report)) {
    lines.push(`### ${escapeMarkdown(area)}`, '', '| check | level | result | what it checks | note |', '| --- | --- | --- | --- | --- |');
    for (const r of failuresFirst(report.results.filter((x) => x.area === area))) {
      const note = r.outcome === 'passed' ? '' : escapeMarkdown(cut(r.message ?? r.expectation?.reason ?? '', 300));
      lines.push(`| \`${r.id}\` | ${r.level} | ${mark(r.outcome)} ${outcomeHeading(r.outcome)} | ${escapeMarkdown(r.title)} | ${note} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
