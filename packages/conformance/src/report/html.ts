import { OUTCOMES, type CheckResult, type ConformanceReport, type RecordedExchange } from './report';
import { acceptedCodesOf, areasOf, authorityOf, failuresFirst, keyUsageLine, requestText, responseText } from './result-view';
import { outcomeHeading } from './summary';
import { levelsOf, verdictLine } from './verdict';

/** Every character that could open markup or an attribute; everything from a server or a check goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Ids for anchors: check IDs and areas are [A-Za-z0-9-], anything else is replaced. */
const anchor = (prefix: string, name: string) => `${prefix}-${name.replace(/[^A-Za-z0-9-]/g, '_')}`;

// Inline only: the report is one file that opens from disk, in CI artefacts, without any network.
const STYLE = `
:root { color-scheme: light; --fail: #b42318; --pass: #067647; --warn: #b54708; --muted: #667085; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; color: #101828; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.verdict { border-radius: 8px; padding: 14px 18px; color: #fff; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.verdict p { margin: 2px 0; opacity: .95; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid var(--line); padding: 3px 10px; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
td.nonzero-failed { color: var(--fail); font-weight: 700; }
ul.failures a { color: var(--fail); font-weight: 600; }
details.check { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 6px 12px; }
details.check.failed { border-left-color: var(--fail); background: #fef3f2; }
details.check.passed { border-left-color: var(--pass); }
details.check.expected-failure, details.check.unexpectedly-passed { border-left-color: var(--warn); }
summary { cursor: pointer; }
.badge { display: inline-block; min-width: 64px; text-align: center; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 700; color: #fff; background: var(--muted); }
.badge.failed { background: var(--fail); }
.badge.passed { background: var(--pass); }
.badge.expected-failure, .badge.unexpectedly-passed { background: var(--warn); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f2f4f7; border-radius: 4px; padding: 8px; margin: 4px 0; white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre.message { background: #fee4e2; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin: 6px 0; }
.exchange h4 { margin: 4px 0 0; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.muted { color: var(--muted); }
`;

function exchangeHtml(exchange: RecordedExchange, index: number, total: number): string {
  return [
    `<div class="exchange" data-exchange="${index + 1}">`,
    `<div class="request"><h4>request ${index + 1} of ${total}</h4><pre>${escapeHtml(requestText(exchange))}</pre></div>`,
    `<div class="response"><h4>response</h4><pre>${escapeHtml(responseText(exchange))}</pre></div>`,
    '</div>',
  ].join('');
}

function checkHtml(result: CheckResult): string {
  const open = result.outcome === 'failed' || result.outcome === 'unexpectedly-passed' ? ' open' : '';
  const rows: [string, string][] = [['authority', authorityOf(result)]];
  if (authorityOf(result) !== result.reference) rows.push(['spec rule', result.reference]);
  const accepted = acceptedCodesOf(result);
  if (accepted.length > 0) rows.push(['accepted answers', accepted.join(', ')]);
  if (result.expectation) rows.push(['expectations file', `${result.expectation.expect}: ${result.expectation.reason}`]);
  rows.push(['requests', `${result.requests} in ${result.durationMs} ms`]);
  const exchanges = result.exchanges ?? [];
  const omitted = result.omittedExchanges ?? 0;
  return [
    `<details class="check ${escapeHtml(result.outcome)}" id="${anchor('check', result.id)}" data-check="${escapeHtml(result.id)}" data-outcome="${escapeHtml(result.outcome)}"${open}>`,
    `<summary><span class="badge ${escapeHtml(result.outcome)}">${escapeHtml(outcomeHeading(result.outcome).toUpperCase())}</span> `,
    `<code>${escapeHtml(result.id)}</code> <strong>${escapeHtml(result.level)}</strong> ${escapeHtml(result.title)}</summary>`,
    result.message === undefined ? '' : `<pre class="message">${escapeHtml(result.message)}</pre>`,
    `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd class="${anchor('field', k)}">${escapeHtml(v)}</dd>`).join('')}</dl>`,
    omitted > 0
      ? `<p class="muted">${omitted} earlier request${omitted === 1 ? '' : 's'} not kept; the last ${exchanges.length} follow.</p>`
      : '',
    exchanges.map((e, i) => exchangeHtml(e, i + omitted, exchanges.length + omitted)).join(''),
    '</details>',
  ].join('');
}

/**
 * One self-contained HTML file: verdict, totals, links to the failures, then every check by area
 * (failures first and open) with its authority, message, and the requests it sent and what came back.
 * No script, no external asset; a Content-Security-Policy forbids loading any.
 */
export function renderHtml(report: ConformanceReport): string {
  const verdict = verdictLine(report);
  const o = report.options;
  const outcomes = OUTCOMES.filter(
    (outcome) => report.results.some((r) => r.outcome === outcome) || outcome === 'passed' || outcome === 'failed',
  );
  const totalsRows: string[] = [];
  for (const area of areasOf(report)) {
    for (const level of levelsOf(report.results)) {
      const group = report.results.filter((r) => r.area === area && r.level === level);
      if (group.length === 0) continue;
      const cells = outcomes.map((oc) => {
        const n = group.filter((r) => r.outcome === oc).length;
        return `<td class="${n > 0 ? `nonzero-${escapeHtml(oc)}` : ''}">${n}</td>`;
      });
      totalsRows.push(`<tr><td>${escapeHtml(area)}</td><td>${escapeHtml(level)}</td>${cells.join('')}</tr>`);
    }
  }
  const failures = failuresFirst(report.results).filter((r) => r.outcome === 'failed');
  const keys = keyUsageLine(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${verdict.split(':')[0]} — ${report.kit.name} against ${report.target.baseUrl}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="verdict ${report.exitCode === 0 ? 'pass' : 'fail'}">
<h1 id="verdict">${escapeHtml(verdict)}</h1>
<p>${escapeHtml(`${report.kit.name} ${report.kit.version} judged ${report.target.baseUrl} (project ${report.target.projectId}${report.target.otherProjectId ? `, other project ${report.target.otherProjectId}` : ''}, token ***)`)}</p>
<p>${escapeHtml(`spec ${report.spec.title} ${report.spec.version}, sha256 ${report.spec.sha256}`)}</p>
<p>${escapeHtml(`level ${o.level}, profile ${o.profile}, seed ${o.seed}, region ${o.region}${o.only ? `, only ${o.only}` : ''}; started ${report.startedAt}`)}</p>
${keys ? `<p>${escapeHtml(keys)}</p>` : ''}
</header>
<table class="totals">
<tr><th>area</th><th>level</th>${outcomes.map((oc) => `<th>${escapeHtml(outcomeHeading(oc))}</th>`).join('')}</tr>
${totalsRows.join('\n')}
<tr><th>total</th><th></th>${outcomes.map((oc) => `<th>${report.results.filter((r) => r.outcome === oc).length}</th>`).join('')}</tr>
</table>
${
  failures.length === 0
    ? ''
    : `<h2>Failures</h2>\n<ul class="failures">${failures
        .map(
          (r) =>
            `<li><a href="#${anchor('check', r.id)}">${escapeHtml(r.id)}</a> ${escapeHtml(r.level)} ${escapeHtml(r.area)}: ${escapeHtml(r.title)}</li>`,
        )
        .join('')}</ul>`
}
${areasOf(report)
  .map(
    (area) =>
      `<section class="area" id="${anchor('area', area)}">\n<h2>${escapeHtml(area)}</h2>\n${failuresFirst(
        report.results.filter((r) => r.area === area),
      )
        .map(checkHtml)
        .join('\n')}\n</section>`,
  )
  .join('\n')}
</body>
</html>
`;
}
