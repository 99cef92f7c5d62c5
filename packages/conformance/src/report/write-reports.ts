import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './html';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import type { ConformanceReport } from './report';
import { renderSummary } from './summary';

export const REPORTERS = ['summary', 'junit', 'json', 'markdown', 'html'] as const;
export type Reporter = (typeof REPORTERS)[number];

export const REPORT_FILES = {
  junit: 'conformance-junit.xml',
  json: 'conformance-report.json',
  markdown: 'conformance-report.md',
  html: 'conformance-report.html',
} as const;

const RENDER: Record<keyof typeof REPORT_FILES, (report: ConformanceReport) => string> = {
  junit: renderJunit,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
  markdown: renderMarkdown,
  html: renderHtml,
};

/** Prints the summary and writes the file reporters into `outDir`; returns the files written. */
export function writeReports(
  report: ConformanceReport,
  reporters: readonly Reporter[],
  outDir: string,
  print: (text: string) => void,
): string[] {
  const written: string[] = [];
  if (reporters.includes('summary')) print(renderSummary(report));
  const files = (Object.keys(REPORT_FILES) as (keyof typeof REPORT_FILES)[]).filter((name) => reporters.includes(name));
  if (files.length > 0) mkdirSync(outDir, { recursive: true });
  for (const name of files) {
    const file = join(outDir, REPORT_FILES[name]);
    writeFileSync(file, RENDER[name](report));
    written.push(file);
  }
  return written;
}
