import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { accessKeyRows, inTurn, presignedRequests, type MeasureWith } from './access-key-scenario';
import type { Target } from './processes';
import { SCENARIO, type MeasuredRow } from './scenarios';
import { judge } from './targets';

const figures = (scenario: string, requestsPerSecond: number): MeasuredRow => ({
  scenario,
  status: 'measured',
  requestsPerSecond,
  latencyP50Ms: 1,
  latencyP99Ms: 2,
  latencyMaxMs: 3,
  requests: requestsPerSecond * 5,
  peakRssMb: 100,
});
const server: Target = { name: 'openkms', url: 'http://127.0.0.1:9', pid: 1, rss: () => 0, stop: async () => undefined };
const ACCESS_KEY = { accessKeyId: 'BENCHAK0000000000001', secretKey: 'bench-secret-key' };

describe('accessKeyRows', () => {
  it('measures token and AK/SK in turns on one server, token-AK-AK-token in half-length runs', async () => {
    const log: string[] = [];
    // A machine that gets slower run by run: 1000, 900, 800, 700 req/s.
    let rate = 1100;
    const measure: MeasureWith = async (scenario, _server, seconds, credential) => {
      log.push(`${credential} ${seconds}s`);
      rate -= 100;
      return figures(scenario, rate);
    };
    const rows = await accessKeyRows(server, 10, ACCESS_KEY, measure);
    expect(log).toEqual(['token 5s', 'access key 5s', 'access key 5s', 'token 5s']);
    // The drift falls on both rows alike: 850 req/s each.
    expect(rows).toEqual([
      expect.objectContaining({ scenario: SCENARIO.tokenPaired, requestsPerSecond: 850 }),
      expect.objectContaining({ scenario: SCENARIO.akskSigning, requestsPerSecond: 850 }),
    ]);
    const verdict = judge(rows, { steadyRate: 1000, largeKeys: 0 }).find((v) => v.target.startsWith('signature verification'));
    expect(verdict).toMatchObject({ status: 'met', measured: 'AK/SK at 1.00× of token (no cost measured)' });
  });

  it('reports the AK/SK row not run, with the reason, when no access key could be made', async () => {
    const measure = jest.fn();
    const rows = await accessKeyRows(server, 10, new Error('openkms-server access-key create failed (exit 2): unknown command'), measure);
    expect(rows).toEqual([
      { scenario: SCENARIO.akskSigning, status: 'not run', reason: 'openkms-server access-key create failed (exit 2): unknown command' },
    ]);
    expect(measure).not.toHaveBeenCalled();
  });
});

describe('presignedRequests', () => {
  it('signs each body as the official SDK core signs it, for the URL, Host and project the load sends', async () => {
    let n = 0;
    const date = new Date('2026-12-03T07:00:00Z');
    const path = '/v1.0/p1/kms/create-datakey';
    const requests = await presignedRequests(
      'http://127.0.0.1:43210',
      path,
      () => JSON.stringify({ key_id: `k${++n}` }),
      ACCESS_KEY,
      'p1',
      3,
      date,
    );
    expect(requests.map((r) => r.body)).toEqual(['{"key_id":"k1"}', '{"key_id":"k2"}', '{"key_id":"k3"}']);
    for (const request of requests) {
      expect(request.headers).toMatchObject({ 'X-Project-Id': 'p1', 'X-Sdk-Date': '20261203T070000Z', Host: '127.0.0.1:43210' });
      expect(request.headers).not.toHaveProperty('X-Auth-Token');
      const official = AKSKSigner.sign(
        {
          method: 'POST',
          endpoint: `http://127.0.0.1:43210${path}`,
          headers: { 'Content-Type': 'application/json', host: '127.0.0.1:43210', 'X-Project-Id': 'p1', 'X-Sdk-Date': '20261203T070000Z' },
          queryParams: {},
          data: JSON.parse(request.body) as unknown,
        },
        new BasicCredentials().withAk(ACCESS_KEY.accessKeyId).withSk(ACCESS_KEY.secretKey),
      ) as Record<string, string>;
      expect(request.headers.Authorization).toBe(official.Authorization);
    }
    expect(new Set(requests.map((r) => r.headers.Authorization)).size).toBe(3);
  });

  it('inTurn serves them round and round', () => {
    const next = inTurn([
      { body: 'a', headers: {} },
      { body: 'b', headers: {} },
    ]);
    expect([next(), next(), next()].map((r) => r.body)).toEqual(['a', 'b', 'a']);
    expect(() => inTurn([])).toThrow('no presigned requests');
  });
});
