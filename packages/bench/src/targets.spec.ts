import { notRun, SCENARIO, type MeasuredRow, type Row } from './scenarios';
import { EXIT_TARGET_MISSED, exitCodeFor, judge, type Verdict } from './targets';

const settings = { steadyRate: 1000, largeKeys: 1_000_000 };

const row = (scenario: string, requestsPerSecond: number, latencyP99Ms = 5): MeasuredRow => ({
  scenario,
  status: 'measured',
  requestsPerSecond,
  latencyP50Ms: 1,
  latencyP99Ms,
  latencyMaxMs: 20,
  requests: requestsPerSecond * 10,
  peakRssMb: 150,
});

/**
 * A run that meets every target: 0.65× Express, p99 8 ms at 1000/s, 30 ops at 0.98× of 6 (paired),
 * large store 0.95×, AK/SK at 0.95× of token (paired).
 */
const passing = (): Row[] => [
  row(SCENARIO.nodeHttp, 30_000),
  row(SCENARIO.express, 8000),
  row(SCENARIO.datakey, 5200),
  row(SCENARIO.steady(1000), 1000, 8),
  row(SCENARIO.sixSpecPaired, 5200),
  row(SCENARIO.wideSpec, 5096),
  row(SCENARIO.largeStore(1_000_000), 4940),
  row(SCENARIO.tokenPaired, 5000),
  row(SCENARIO.akskSigning, 4750),
];

const replace = (rows: Row[], replacement: Row) => rows.map((r) => (r.scenario === replacement.scenario ? replacement : r));
const verdictOn = (verdicts: Verdict[], start: string) => verdicts.find((v) => v.target.startsWith(start))!;

describe('judge', () => {
  it('meets every target on a run that reaches them, and exits 0', () => {
    const verdicts = judge(passing(), settings);
    expect(verdicts.filter((v) => v.status !== 'info').map((v) => v.status)).toEqual(['met', 'met', 'met', 'met', 'met']);
    expect(verdicts.map((v) => v.measured)).toEqual(['0.65×', '8 ms', '0.98×', '0.95×', 'AK/SK at 0.95× of token (costs 5%)', '0.17×']);
    expect(exitCodeFor(verdicts)).toBe(0);
  });

  it('misses the Express target below 0.6× and exits non-zero', () => {
    const verdicts = judge(replace(passing(), row(SCENARIO.datakey, 4790)), settings);
    expect(verdictOn(verdicts, 'create-datakey ≥ 0.6×')).toMatchObject({ status: 'NOT MET', measured: '0.60×' });
    expect(exitCodeFor(verdicts)).toBe(EXIT_TARGET_MISSED);
  });

  it('holds the Express target at exactly 0.6×', () => {
    expect(verdictOn(judge(replace(passing(), row(SCENARIO.datakey, 4800)), settings), 'create-datakey').status).toBe('met');
  });

  it('misses the latency target above 10 ms, and when the steady run did not hold its rate', () => {
    expect(verdictOn(judge(replace(passing(), row(SCENARIO.steady(1000), 1000, 11)), settings), 'p99').status).toBe('NOT MET');
    expect(verdictOn(judge(replace(passing(), row(SCENARIO.steady(1000), 1000, 10)), settings), 'p99').status).toBe('met');
    const slow = verdictOn(judge(replace(passing(), row(SCENARIO.steady(1000), 900, 3)), settings), 'p99');
    expect(slow).toMatchObject({ status: 'NOT MET', measured: 'rate not held: 900 req/s, p99 3 ms' });
  });

  it('judges the 30-operation spec within 5% either way of the 6-operation one', () => {
    // Against 5200 req/s with 6 operations (paired): 4940 is 0.95×, 4900 is 0.94×, 5500 is 1.06×.
    const at = (wide: number) => verdictOn(judge(replace(passing(), row(SCENARIO.wideSpec, wide)), settings), '30-operation').status;
    expect(at(4940)).toBe('met');
    expect(at(4900)).toBe('NOT MET');
    expect(at(5460)).toBe('met');
    expect(at(5500)).toBe('NOT MET');
  });

  it('judges the 30-operation spec against the 6-operation run paired with it, not the earlier create-datakey row', () => {
    const rows = replace(replace(passing(), row(SCENARIO.sixSpecPaired, 4000)), row(SCENARIO.wideSpec, 5200));
    expect(verdictOn(judge(rows, settings), '30-operation')).toMatchObject({ status: 'NOT MET', measured: '1.30×' });
  });

  it('does not judge the 30-operation target when its scenario was not run, and does not fail the run for it', () => {
    const rows = replace(passing(), notRun(SCENARIO.wideSpec, 'the 30-operation server is not wired in'));
    const verdicts = judge(rows, settings);
    expect(verdictOn(verdicts, '30-operation')).toEqual({
      target: '30-operation spec within 5% of 6 operations',
      status: 'NOT JUDGED',
      measured: `"${SCENARIO.wideSpec}" not run: the 30-operation server is not wired in`,
    });
    expect(exitCodeFor(verdicts)).toBe(0);
  });

  it('does not judge a target whose row is absent', () => {
    const rows = passing().filter((r) => r.scenario !== SCENARIO.wideSpec);
    expect(verdictOn(judge(rows, settings), '30-operation').status).toBe('NOT JUDGED');
  });

  it('judges signature verification against the token run paired with it: at most 10% of the throughput', () => {
    const at = (signed: number) =>
      verdictOn(judge(replace(passing(), row(SCENARIO.akskSigning, signed)), settings), 'signature verification');
    expect(at(4500)).toEqual({
      target: 'signature verification costs ≤ 10% of create-datakey throughput',
      status: 'met',
      measured: 'AK/SK at 0.90× of token (costs 10%)',
    });
    expect(at(4490)).toMatchObject({ status: 'NOT MET', measured: 'AK/SK at 0.90× of token (costs 10%)' });
    expect(at(4000)).toMatchObject({ status: 'NOT MET', measured: 'AK/SK at 0.80× of token (costs 20%)' });
    expect(exitCodeFor(judge(replace(passing(), row(SCENARIO.akskSigning, 4000)), settings))).toBe(EXIT_TARGET_MISSED);
    // Judged against its own paired token run, not the earlier create-datakey row (5200 req/s).
    expect(at(4750).status).toBe('met');
    expect(at(5600)).toMatchObject({ status: 'met', measured: 'AK/SK at 1.12× of token (no cost measured)' });
  });

  it('does not judge the signature target when the AK/SK row was not run, and does not fail the run for it', () => {
    const rows = replace(passing(), notRun(SCENARIO.akskSigning, 'openkms-server access-key create failed'));
    const verdicts = judge(rows, settings);
    expect(verdictOn(verdicts, 'signature verification')).toMatchObject({
      status: 'NOT JUDGED',
      measured: `"${SCENARIO.akskSigning}" not run: openkms-server access-key create failed`,
    });
    expect(exitCodeFor(verdicts)).toBe(0);
  });

  it('keeps the large-store target: within 10% of 10 keys, not judged when skipped', () => {
    const slower = replace(passing(), row(SCENARIO.largeStore(1_000_000), 4600));
    expect(verdictOn(judge(slower, settings), '1000000 keys').status).toBe('NOT MET');
    const skipped = judge(passing(), { ...settings, largeKeys: 0 });
    expect(skipped.find((v) => v.target.includes('large store'))).toMatchObject({
      status: 'NOT JUDGED',
      measured: 'skipped by --large-keys 0',
    });
  });
});
