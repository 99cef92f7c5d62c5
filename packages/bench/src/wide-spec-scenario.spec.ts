import type { Target } from './processes';
import { SCENARIO, type MeasuredRow } from './scenarios';
import { judge } from './targets';
import { combine, wideSpecRows, type MeasureFor } from './wide-spec-scenario';

const setup = { dataDir: '/data', tokenFile: '/tokens.json', rootKeyHex: '00'.repeat(32) };

const figures = (scenario: string, requestsPerSecond = 1000, latencyP99Ms = 2): MeasuredRow => ({
  scenario,
  status: 'measured',
  requestsPerSecond,
  latencyP50Ms: 1,
  latencyP99Ms,
  latencyMaxMs: 3,
  requests: requestsPerSecond * 2,
  peakRssMb: 100,
});

function fakeServer(name: string, log: string[]): Target {
  return { name, url: `http://${name}`, pid: 1, rss: () => 0, stop: async () => void log.push(`stop ${name}`) };
}

describe('wideSpecRows', () => {
  it('reports the 30-operation row not run, and its target not judged, while no server is wired in', async () => {
    const measure = jest.fn();
    const startSix = jest.fn();
    const rows = await wideSpecRows(undefined, startSix, setup, 10, measure);
    expect(rows).toEqual([expect.objectContaining({ scenario: SCENARIO.wideSpec, status: 'not run' })]);
    expect(startSix).not.toHaveBeenCalled();
    expect(measure).not.toHaveBeenCalled();
    const verdicts = judge([figures(SCENARIO.datakey), ...rows], { steadyRate: 1000, largeKeys: 0 });
    expect(verdicts.find((v) => v.target.startsWith('30-operation'))?.status).toBe('NOT JUDGED');
  });

  it('measures both servers in turns, 6-30-30-6 in half-length runs, and stops both', async () => {
    const log: string[] = [];
    const startWide = jest.fn(async () => fakeServer('wide', log));
    const startSix = jest.fn(async () => fakeServer('six', log));
    // A machine that gets slower run by run: 1000, 900, 800, 700 req/s.
    let rate = 1100;
    const measure: MeasureFor = async (scenario, server, seconds) => {
      log.push(`${server.name} ${seconds}s`);
      rate -= 100;
      return figures(scenario, rate);
    };

    const rows = await wideSpecRows(startWide, startSix, setup, 10, measure);

    expect(startWide).toHaveBeenCalledWith(setup);
    expect(startSix).toHaveBeenCalledWith(setup);
    expect(log).toEqual(['six 5s', 'wide 5s', 'wide 5s', 'six 5s', 'stop wide', 'stop six']);
    // The drift falls on both rows alike: 850 req/s each, so the target holds.
    expect(rows).toEqual([
      expect.objectContaining({ scenario: SCENARIO.sixSpecPaired, requestsPerSecond: 850 }),
      expect.objectContaining({ scenario: SCENARIO.wideSpec, requestsPerSecond: 850 }),
    ]);
    const verdicts = judge(rows, { steadyRate: 1000, largeKeys: 0 });
    expect(verdicts.find((v) => v.target.startsWith('30-operation'))).toMatchObject({ status: 'met', measured: '1.00×' });
  });

  it('stops both servers when a measurement fails', async () => {
    const log: string[] = [];
    const failing: MeasureFor = async () => Promise.reject(new Error('load failed'));
    const rows = wideSpecRows(
      async () => fakeServer('wide', log),
      async () => fakeServer('six', log),
      setup,
      2,
      failing,
    );
    await expect(rows).rejects.toThrow('load failed');
    expect(log).toEqual(['stop wide', 'stop six']);
  });
});

describe('combine', () => {
  it('keeps the mean rate and median, the worst p99 and max, the peak RSS and all requests', () => {
    const a = { ...figures('x', 1000, 4), latencyP50Ms: 1, latencyMaxMs: 30, peakRssMb: 120 };
    const b = { ...figures('x', 800, 9), latencyP50Ms: 2, latencyMaxMs: 20, peakRssMb: 110 };
    expect(combine(a, b)).toEqual({
      scenario: 'x',
      status: 'measured',
      requestsPerSecond: 900,
      latencyP50Ms: 1.5,
      latencyP99Ms: 9,
      latencyMaxMs: 30,
      requests: 3600,
      peakRssMb: 120,
    });
  });
});
