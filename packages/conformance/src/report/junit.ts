import junit from 'junit-report-builder';
import type { ConformanceReport } from './report';

/**
 * JUnit XML: one suite per area, one case per check. Failed checks are <failure> (type MUST or
 * SHOULD); skipped checks and expected failures are <skipped>, so a CI view agrees with the exit code
 * except that failed SHOULD checks still show.
 */
export function renderJunit(report: ConformanceReport): string {
  const builder = junit.newBuilder().name(`${report.kit.name} ${report.kit.version}`);
  const areas = [...new Set(report.results.map((r) => r.area))];
  for (const area of areas) {
    const suite = builder
      .testSuite()
      .name(area)
      .timestamp(new Date(report.startedAt))
      .property('kit.version', report.kit.version)
      .property('spec.sha256', report.spec.sha256)
      .property('seed', String(report.options.seed))
      .property('base_url', report.target.baseUrl);
    for (const result of report.results.filter((r) => r.area === area)) {
      const testCase = suite
        .testCase()
        .className(`conformance.${area}`)
        .name(`${result.id} [${result.level}] ${result.title}`)
        .time(result.durationMs / 1000)
        .property('reference', result.reference);
      if (result.outcome === 'failed') testCase.failure(result.message ?? 'failed', result.level);
      else if (result.outcome === 'skipped') testCase.skipped().standardOutput(result.message ?? 'skipped');
      else if (result.outcome === 'expected-failure')
        testCase.skipped().standardOutput(`expected failure (${result.expectation?.reason ?? ''}): ${result.message ?? ''}`);
      else if (result.outcome === 'unexpectedly-passed')
        testCase.standardOutput(`unexpectedly passed: the expectations file says this check fails (${result.expectation?.reason ?? ''})`);
    }
  }
  return builder.build();
}
