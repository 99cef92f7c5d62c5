/**
 * Liveness and readiness: /health/live answers while the process runs; /health/ready says
 * whether requests can be served now (accepting, and the key store answers), from a short
 * cached probe; /health keeps its old meaning (accepting requests).
 */
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { healthRoutes, type HealthOptions } from '../src/http/health';
import { startTestServer } from '../src/testing';

interface Harness {
  readonly app: express.Express;
  readonly logs: Record<string, unknown>[];
  probes: number;
  storeUp: boolean;
  accepting: boolean;
  time: number;
  /** When set, the probe waits for it. */
  hold?: Promise<void>;
}

function harness(overrides: Partial<HealthOptions> = {}): Harness {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (logs.push(JSON.parse(String(chunk))), done()) }));
  const h: Harness = { app: express(), logs, probes: 0, storeUp: true, accepting: true, time: 0 };
  h.app.use(
    healthRoutes({
      logger,
      isAccepting: () => h.accepting,
      probeStore: async () => {
        h.probes += 1;
        if (h.hold) await h.hold;
        if (!h.storeUp) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      cacheMs: 1000,
      probeTimeoutMs: 100,
      now: () => h.time,
      ...overrides,
    }),
  );
  return h;
}

describe('GET /health/live', () => {
  it('is 200 while the process runs: store down, shutting down, whatever', async () => {
    const h = harness();
    h.storeUp = false;
    h.accepting = false;
    await request(h.app).get('/health/live').expect(200, { status: 'ok' });
    expect(h.probes).toBe(0);
  });
});

describe('GET /health/ready', () => {
  it('is 200 when the store answers, 503 naming the store when it does not', async () => {
    const h = harness();
    await request(h.app).get('/health/ready').expect(200, { status: 'ok', store: 'ok' });
    h.storeUp = false;
    h.time += 1001;
    await request(h.app).get('/health/ready').expect(503, { status: 'unavailable', store: 'unavailable' });
    h.storeUp = true;
    h.time += 1001;
    await request(h.app).get('/health/ready').expect(200, { status: 'ok', store: 'ok' });
  });

  it('is 503 while shutting down, without asking the store', async () => {
    const h = harness();
    h.accepting = false;
    await request(h.app).get('/health/ready').expect(503, { status: 'unavailable' });
    expect(h.probes).toBe(0);
  });

  it('reuses a probe for cacheMs, and shares one in flight between concurrent requests', async () => {
    const h = harness();
    await request(h.app).get('/health/ready').expect(200);
    h.time += 999;
    await request(h.app).get('/health/ready').expect(200);
    expect(h.probes).toBe(1);
    h.time += 2;
    let release!: () => void;
    h.hold = new Promise((resolve) => (release = resolve));
    const answers = Promise.all(Array.from({ length: 5 }, () => request(h.app).get('/health/ready')));
    // Bounded wait until the probe has started.
    for (let n = 0; n < 200 && h.probes < 2; n += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect((await answers).map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(h.probes).toBe(2);
  });

  it('counts a probe that does not answer within probeTimeoutMs as unavailable', async () => {
    const h = harness();
    h.hold = new Promise(() => undefined);
    await request(h.app).get('/health/ready').expect(503, { status: 'unavailable', store: 'unavailable' });
  });

  it('logs when the store becomes unreachable and when it is back, once each, with the reason', async () => {
    const h = harness();
    await request(h.app).get('/health/ready').expect(200);
    h.storeUp = false;
    for (let n = 0; n < 3; n += 1) {
      h.time += 1001;
      await request(h.app).get('/health/ready').expect(503);
    }
    h.storeUp = true;
    h.time += 1001;
    await request(h.app).get('/health/ready').expect(200);
    expect(h.logs.map((line) => [line.level, line.msg, line.store_error])).toEqual([
      [40, 'readiness: the key store does not answer', 'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5432'],
      [30, 'readiness: the key store answers again', undefined],
    ]);
  });
});

describe('GET /health', () => {
  it('keeps its meaning: 200 while accepting requests (whatever the store), 503 while shutting down', async () => {
    const h = harness();
    h.storeUp = false;
    await request(h.app).get('/health').expect(200, { status: 'ok' });
    h.accepting = false;
    await request(h.app).get('/health').expect(503, { status: 'unavailable' });
    expect(h.probes).toBe(0);
  });
});

describe('the server', () => {
  it('serves /health, /health/live and /health/ready without a token', async () => {
    const server = await startTestServer({ store: 'sqlite' });
    try {
      for (const path of ['/health', '/health/live', '/health/ready']) {
        const res = await fetch(`${server.url}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
      expect(await (await fetch(`${server.url}/health/ready`)).json()).toEqual({ status: 'ok', store: 'ok' });
    } finally {
      await server.stop();
    }
  });
});

describe('other methods on the health paths', () => {
  it.each(['/health', '/health/live', '/health/ready', '/HEALTH'])(
    '%s answers OPTIONS, POST and DELETE with 405 KMS.0215 and Allow: GET, HEAD',
    async (path) => {
      const h = harness();
      for (const method of ['options', 'post', 'delete'] as const) {
        const res = await request(h.app)[method](path);
        expect({ method, status: res.status, allow: res.headers.allow }).toEqual({ method, status: 405, allow: 'GET, HEAD' });
        expect(res.body).toEqual({ error: { error_code: 'KMS.0215', error_msg: expect.stringContaining(method.toUpperCase()) } });
      }
      expect(h.probes).toBe(0);
    },
  );
});
