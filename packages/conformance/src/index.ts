export { runConformance, type ConformanceOptions } from './run-conformance';
export { CHECKS, selectChecks, checksMarkdownTable } from './checks/registry';
export {
  AREAS,
  LEVELS,
  LEVEL_OPTIONS,
  CheckFailure,
  NotImplemented,
  type Area,
  type Authority,
  type Check,
  type Level,
  type LevelOption,
} from './checks/check';
export type { CheckContext, Caller } from './checks/context';
export { parseExpectations, readExpectationsFile, type Expectation, type Expectations } from './expectations';
export { OUTCOMES, type CheckResult, type ConformanceReport, type KeyUsage, type Outcome, type RecordedExchange } from './report/report';
export { renderSummary } from './report/summary';
export { renderJunit } from './report/junit';
export { codeBlock, escapeMarkdown, renderMarkdown } from './report/markdown';
export { authorityOf } from './report/result-view';
export { renderHtml } from './report/html';
export { verdict, verdictLine } from './report/verdict';
export { probeTarget, TargetUnusable } from './http/probe-target';
export { REPORTERS, REPORT_FILES, writeReports, type Reporter } from './report/write-reports';
export { DEFAULT_SPEC_PATH, loadSpec, type LoadedSpec } from './spec/load-spec';
export { ResponseValidator } from './spec/response-validator';
export { main } from './cli';
