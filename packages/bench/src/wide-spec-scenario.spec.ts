import type { Target } from './processes';
import { SCENARIO, type MeasuredRow } from './scenarios';
import { judge } from './targets';
import { wideSpecRow } from './wide-spec-scenario';

const setup = { dataDir: '/data', tokenFile: '/tokens.json', rootKeyHex: '00'.repeat(32) };

const figures = (scenario: string): MeasuredRow => ({
  scenario,
  status: 'measured',
  requestsPerSecond: 1000,
  latencyP50Ms: 1,
  latencyP99Ms: 2,
  latencyMaxMs: 3,
  requests: 2000,
  peakRssMb: 100,
});

describe('wideSpecRow', () => {
  it('reports the scenario not run, and its target not judged, while no server is wired in', async () => {
    const measure = jest.fn();
    const row = await wideSpecRow(undefined, setup, measure);
    expect(row).toMatchObject({ scenario: SCENARIO.wideSpec, status: 'not run' });
    expect(measure).not.toHaveBeenCalled();
    const verdicts = judge([figures(SCENARIO.datakey), row], { steadyRate: 1000, largeKeys: 0 });
    const verdict = verdicts.find((v) => v.target.startsWith('30-operation'));
    expect(verdict?.status).toBe('NOT JUDGED');
  });

  it('measures the server the hook starts with the run setup, and stops it', async () => {
    const stop = jest.fn(async () => undefined);
    const server: Target = { name: 'wide', url: 'http://127.0.0.1:1', pid: 1, rss: () => 0, stop };
    const start = jest.fn(async () => server);
    const measure = jest.fn(async (scenario: string, target: Target) => ({
      ...figures(scenario),
      scenario: `${scenario} on ${target.name}`,
    }));

    const row = await wideSpecRow(start, setup, measure);

    expect(start).toHaveBeenCalledWith(setup);
    expect(row).toMatchObject({ scenario: `${SCENARIO.wideSpec} on wide`, status: 'measured' });
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('stops the server when the measurement fails', async () => {
    const stop = jest.fn(async () => undefined);
    const start = async (): Promise<Target> => ({ name: 'wide', url: 'http://127.0.0.1:1', pid: 1, rss: () => 0, stop });
    await expect(wideSpecRow(start, setup, async () => Promise.reject(new Error('load failed')))).rejects.toThrow('load failed');
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
