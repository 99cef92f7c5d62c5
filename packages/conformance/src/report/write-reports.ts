import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJunit } from './junit';
import type { ConformanceReport } from './report';
import { renderSummary } from './summary';

export const REPORTERS = ['summary', 'junit', 'json'] as const;
export type Reporter = (typeof REPORTERS)[number];

export const REPORT_FILES = { junit: 'conformance-junit.xml', json: 'conformance-report.json' } as const;

/** Prints the summary and writes the file reporters into `outDir`; returns the files written. */
export function writeReports(report: ConformanceReport, reporters: readonly Reporter[], outDir: string, print: (text: string) => void): string[] {
  const written: string[] = [];
  if (reporters.includes('summary')) print(renderSummary(report));
  if (reporters.includes('junit') || reporters.includes('json')) mkdirSync(outDir, { recursive: true });
  if (reporters.includes('junit')) {
    const file = join(outDir, REPORT_FILES.junit);
    writeFileSync(file, renderJunit(report));
    written.push(file);
  }
  if (reporters.includes('json')) {
    const file = join(outDir, REPORT_FILES.json);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    written.push(file);
  }
  return written;
}
