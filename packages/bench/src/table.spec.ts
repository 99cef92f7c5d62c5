import { notRun, SCENARIO } from './scenarios';
import { formatTable, formatVerdicts } from './table';

describe('formatTable', () => {
  it('keeps the README columns and says why a scenario was not run', () => {
    const lines = formatTable([
      {
        scenario: SCENARIO.datakey,
        status: 'measured',
        requestsPerSecond: 3042.4,
        latencyP50Ms: 8,
        latencyP99Ms: 22,
        latencyMaxMs: 55,
        requests: 30424,
        peakRssMb: 173.6,
      },
      notRun(SCENARIO.wideSpec, 'its server is not wired in yet'),
    ]);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'RSS MB']);
    expect(lines[1]!.split(/\s{2,}/)).toEqual([SCENARIO.datakey, '3042', '8', '22', '55', '174']);
    expect(lines[2]).toMatch(/^openkms create-datakey, 30-operation spec\s+not run: its server is not wired in yet$/);
  });
});

describe('formatVerdicts', () => {
  it('labels every verdict so a missed or unjudged target stands out', () => {
    expect(
      formatVerdicts([
        { target: 'a', measured: '1', status: 'met' },
        { target: 'b', measured: '2', status: 'NOT MET' },
        { target: 'c', measured: '3', status: 'NOT JUDGED' },
      ]),
    ).toEqual(['met         a: 1', 'NOT MET     b: 2', 'NOT JUDGED  c: 3']);
  });
});
