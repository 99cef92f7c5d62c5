/**
 * GET /metrics (`--metrics`): off by default; on, counters move with requests, and every label
 * value comes from a fixed set whatever the request (fast-check: random methods, paths, headers
 * and bodies). fast-check reports the seed and the shrunk counterexample of a failure; replay
 * it with `{ seed, path }` in fc.assert's options.
 */
import fc from 'fast-check';
import request from 'supertest';
import { KeyState, MemoryKeyStore, PostgresKeyStore } from '@openkms/core';
import { createTestSchema } from '@openkms/core/testing';
import { createFileAuditSink } from '../src/audit/audit-log';
import { operationIds } from '../src/generated';
import { auditWriteFailures, ServerMetrics, UNKNOWN_OPERATION } from '../src/metrics/server-metrics';
import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

jest.setTimeout(60_000);

/** Parses the Prometheus text format into samples: name, labels, value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(app: TestApp['app']) {
  const response = await request(app).get('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain;/);
  expect(response.headers['content-type']).toMatch(/version=0\.0\.4/);
  return samples(response.text);
}

function value(all: ReturnType<typeof samples>, name: string, labels: Record<string, string> = {}): number {
  const found = all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((sum, s) => sum + s.value, 0);
}

describe('GET /metrics', () => {
  it('is an unknown path when metrics are off (the default): 404 KMS.0201', async () => {
    const { app } = await buildTestApp();
    expectKmsError(await request(app).get('/metrics'), 404, 'KMS.0201');
  });

  it('counts requests by operation and status, their latency, store calls and keys by state; needs no token', async () => {
    const metrics = new ServerMetrics(operationIds, { processMetrics: false });
    const test = await buildTestApp({ metrics, store: metrics.instrumentStore(new MemoryKeyStore()) });
    const before = await scrape(test.app);
    expect(value(before, 'openkms_keys', { state: KeyState.Enabled })).toBe(0);

    expect((await test.createKey({ key_alias: 'm-1' })).status).toBe(200);
    expect((await test.createKey({ key_alias: 'm-2' })).status).toBe(200);
    expectKmsError(await test.createKey({ key_alias: 'm-1' }), 400, 'KMS.1104');
    expectKmsError(await request(test.app).post(`/v1.0/${CALLERS.alice.projectId}/kms/create-key`).send({}), 403, 'KMS.0301');
    expectKmsError(await request(test.app).get('/no/such/path'), 404, 'KMS.0201');

    const after = await scrape(test.app);
    expect(value(after, 'openkms_http_requests_total', { operation: 'createKey', status: '200' })).toBe(2);
    expect(value(after, 'openkms_http_requests_total', { operation: 'createKey', status: '400' })).toBe(1);
    expect(value(after, 'openkms_http_requests_total', { operation: 'createKey', status: '403' })).toBe(1);
    // The 404 and the first scrape: neither is an operation.
    expect(value(after, 'openkms_http_requests_total', { operation: UNKNOWN_OPERATION, status: '404' })).toBe(1);
    expect(value(after, 'openkms_http_requests_total', { operation: UNKNOWN_OPERATION, status: '200' })).toBe(1);
    expect(value(after, 'openkms_http_request_duration_seconds_count', { operation: 'createKey' })).toBe(4);
    expect(value(after, 'openkms_store_call_duration_seconds_count', { method: 'insertKey', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(value(after, 'openkms_keys', { state: KeyState.Enabled })).toBe(2);
    expect(value(after, 'openkms_keys', { state: KeyState.Disabled })).toBe(0);
    expect(after.some((s) => s.name === 'openkms_audit_write_failures_total')).toBe(true);
  });

  it('counts rate-limit refusals (429 KMS.0429) by operation', async () => {
    const metrics = new ServerMetrics(operationIds, { processMetrics: false });
    const test = await buildTestApp({ metrics, rateLimits: { createKey: { limit: 1, windowMs: 3_600_000 } } });
    expect((await test.createKey({ key_alias: 'r-1' })).status).toBe(200);
    expectKmsError(await test.createKey({ key_alias: 'r-2' }), 429, 'KMS.0429');
    expectKmsError(await test.createKey({ key_alias: 'r-3' }), 429, 'KMS.0429');
    const after = await scrape(test.app);
    expect(value(after, 'openkms_rate_limit_refusals_total', { operation: 'createKey' })).toBe(2);
    expect(value(after, 'openkms_http_requests_total', { operation: 'createKey', status: '429' })).toBe(2);
  });

  it('with the PostgreSQL store: its pool (open, idle, waiting), its call times and keys by state; never the URL or password', async () => {
    const schema = await createTestSchema();
    const store = await PostgresKeyStore.open({ connectionString: schema.url });
    try {
      const metrics = new ServerMetrics(operationIds, { processMetrics: false });
      const test = await buildTestApp({ metrics, store: metrics.instrumentStore(store) });
      expect((await test.createKey({ key_alias: 'pg-1' })).status).toBe(200);
      const response = await request(test.app).get('/metrics');
      const all = samples(response.text);
      // Read while the scrape's own keys query may be waiting for a connection: present and sane, not exact.
      for (const name of ['openkms_store_pool_connections', 'openkms_store_pool_idle_connections', 'openkms_store_pool_waiting_requests']) {
        expect({ name, present: all.some((sample) => sample.name === name) }).toEqual({ name, present: true });
      }
      expect(value(all, 'openkms_store_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(value(all, 'openkms_store_pool_idle_connections')).toBeLessThanOrEqual(value(all, 'openkms_store_pool_connections'));
      expect(value(all, 'openkms_store_pool_waiting_requests')).toBeLessThanOrEqual(1);
      expect(value(all, 'openkms_store_call_duration_seconds_count', { method: 'insertKey', outcome: 'ok' })).toBe(1);
      expect(value(all, 'openkms_keys', { state: KeyState.Enabled })).toBe(1);
      expect(response.text).not.toContain(schema.password);
      expect(response.text).not.toContain(schema.name);
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  it('answers another method with 405 KMS.0215 and Allow', async () => {
    const metrics = new ServerMetrics(operationIds, { processMetrics: false });
    const { app } = await buildTestApp({ metrics });
    const response = await request(app).post('/metrics').send({});
    expectKmsError(response, 405, 'KMS.0215');
    expect(response.headers['allow']).toBe('GET, HEAD');
  });

  it('counts an audit record that could not be written', async () => {
    const before = (await auditWriteFailures.get()).values[0]?.value ?? 0;
    // /dev/full refuses every write (ENOSPC).
    const sink = createFileAuditSink('/dev/full');
    expect(() => sink.record({ request_id: 'r', operation: 'createKey', project_id: 'p', outcome: 'success', status: 200 })).toThrow();
    expect((await auditWriteFailures.get()).values[0]?.value).toBe(before + 1);
  });

  it('never takes a label value from the request: operations of the spec or unknown, statuses as three digits', async () => {
    const metrics = new ServerMetrics(operationIds, { processMetrics: false });
    const test = await buildTestApp({ metrics, store: metrics.instrumentStore(new MemoryKeyStore()) });
    const allowedOperations = new Set([...operationIds, UNKNOWN_OPERATION]);
    const segment = fc.oneof(
      fc.constantFrom('v1.0', 'kms', 'create-key', 'describe-key', 'metrics', 'docs', CALLERS.alice.projectId),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.option(fc.jsonValue(), { nil: undefined }),
        fc.boolean(),
        async (method, segments, body, withToken) => {
          const path = '/' + segments.map((s) => encodeURIComponent(s)).join('/');
          let call = request(test.app)[method.toLowerCase() as 'get'](path);
          if (withToken) call = call.set('X-Auth-Token', CALLERS.alice.token);
          const response = await (body === undefined ? call : call.set('Content-Type', 'application/json').send(JSON.stringify(body)));
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      for (const sample of metric.values) {
        const labels = sample.labels as Record<string, string | number | undefined>;
        if (labels['operation'] !== undefined) expect(allowedOperations.has(String(labels['operation']))).toBe(true);
        if (labels['status'] !== undefined) expect(String(labels['status'])).toMatch(/^[1-5][0-9]{2}$/);
        if (labels['state'] !== undefined) expect(Object.values(KeyState)).toContain(String(labels['state']));
        if (labels['method'] !== undefined) expect(String(labels['method'])).toMatch(/^[a-zA-Z]+$/);
      }
    }
  });
});
