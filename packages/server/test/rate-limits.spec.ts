import fc from 'fast-check';
import request from 'supertest';
import { parseRateLimits, SERVICE_RATE_LIMITS } from '../src/http/rate-limits';
import { buildTestApp, CALLERS, expectKmsError } from './support';

const alias = (n: number | string) => `rl/${n}-${Math.random().toString(36).slice(2)}`;

describe('rate limits', () => {
  it('are off by default: a burst of create-key is never throttled', async () => {
    const t = await buildTestApp();
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, n) => t.createKey({ key_alias: alias(n) }).then((r) => r.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
  });

  it('over the limit: 429 KMS.0429 with the error body and Retry-After', async () => {
    const t = await buildTestApp({ rateLimits: { createKey: { limit: 5, windowMs: 60_000 } } });
    for (let n = 0; n < 5; n++) expect((await t.createKey({ key_alias: alias(n) })).status).toBe(200);
    const throttled = await t.createKey({ key_alias: alias('over') });
    expectKmsError(throttled, 429, 'KMS.0429');
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  });

  it('count per domain: two projects of one domain share the budget, another domain has its own', async () => {
    const t = await buildTestApp({ rateLimits: { createKey: { limit: 3, windowMs: 60_000 } } });
    expect((await t.createKey({ key_alias: alias(1) }, CALLERS.alice)).status).toBe(200);
    expect((await t.createKey({ key_alias: alias(2) }, CALLERS.bob)).status).toBe(200);
    expect((await t.createKey({ key_alias: alias(3) }, CALLERS.alice)).status).toBe(200);
    expectKmsError(await t.createKey({ key_alias: alias(4) }, CALLERS.bob), 429, 'KMS.0429');
    expect((await t.createKey({ key_alias: alias(5) }, CALLERS.carol)).status).toBe(200);
  });

  it('are per operation: a throttled create-key does not throttle create-datakey', async () => {
    const t = await buildTestApp({ rateLimits: { createKey: { limit: 1, windowMs: 60_000 } } });
    const created = await t.createKey({ key_alias: alias('k') });
    expectKmsError(await t.createKey({ key_alias: alias('k2') }), 429, 'KMS.0429');
    for (let n = 0; n < 5; n++) {
      expect((await t.createDatakey({ key_id: created.body.key_info.key_id, datakey_length: '512' })).status).toBe(200);
    }
  });

  it('requests refused by authentication do not use up the budget', async () => {
    const t = await buildTestApp({ rateLimits: { createKey: { limit: 2, windowMs: 60_000 } } });
    for (let n = 0; n < 10; n++) {
      const res = await request(t.app)
        .post(`/v1.0/${CALLERS.alice.projectId}/kms/create-key`)
        .set('X-Auth-Token', 'okms_wrong')
        .send({ key_alias: alias(n) });
      expectKmsError(res, 403, 'KMS.0302');
    }
    expect((await t.createKey({ key_alias: alias('a') })).status).toBe(200);
    expect((await t.createKey({ key_alias: alias('b') })).status).toBe(200);
  });

  it('a throttled request changes nothing: no key is created', async () => {
    const t = await buildTestApp({ rateLimits: { createKey: { limit: 1, windowMs: 60_000 } } });
    await t.createKey({ key_alias: alias('first') });
    const name = alias('throttled');
    expectKmsError(await t.createKey({ key_alias: name }), 429, 'KMS.0429');
    const scope = { domainId: CALLERS.alice.domainId, projectId: CALLERS.alice.projectId };
    await expect(t.service.createDataKey(scope, { keyId: `alias/${name}`, datakeyBits: 256 })).rejects.toMatchObject({ code: 'KMS.0207' });
  });

  it('the budget comes back when the window ends (waits Retry-After, asserts no timing)', async () => {
    const t = await buildTestApp({ rateLimits: { createKey: { limit: 1, windowMs: 1000 } } });
    await t.createKey({ key_alias: alias(1) });
    const throttled = await t.createKey({ key_alias: alias(2) });
    expectKmsError(throttled, 429, 'KMS.0429');
    await new Promise((resolve) => setTimeout(resolve, Number(throttled.headers['retry-after']) * 1000 + 50));
    expect((await t.createKey({ key_alias: alias(3) })).status).toBe(200);
  });
});

describe('parseRateLimits (--rate-limits)', () => {
  it('off and service', () => {
    expect(parseRateLimits('off')).toEqual({});
    expect(parseRateLimits(' service ')).toEqual(SERVICE_RATE_LIMITS);
    expect(SERVICE_RATE_LIMITS).toEqual({ createDatakey: { limit: 1000, windowMs: 1000 }, createKey: { limit: 20, windowMs: 1000 } });
  });

  it('a list of operation=n/unit', () => {
    expect(parseRateLimits('createDatakey=3000/s, createKey=100/min')).toEqual({
      createDatakey: { limit: 3000, windowMs: 1000 },
      createKey: { limit: 100, windowMs: 60_000 },
    });
    expect(parseRateLimits('createKey=5/h')).toEqual({ createKey: { limit: 5, windowMs: 3_600_000 } });
  });

  it.each([
    '',
    'on',
    'createKey',
    'createKey=0/s',
    'createKey=-1/s',
    'createKey=10/day',
    'createKey=1e3/s',
    'deleteKey=1/s',
    'createKey=1/s,createKey=2/s',
    'createKey=1/s,',
  ])('rejects %j with a message naming the syntax', (bad) => {
    expect(() => parseRateLimits(bad)).toThrow(/rate limit/);
  });

  it('round-trips any valid list (property)', () => {
    fc.assert(
      fc.property(
        fc.subarray(['createKey', 'createDatakey'] as const, { minLength: 1 }),
        fc.array(fc.integer({ min: 1, max: 999_999_999 }), { minLength: 2, maxLength: 2 }),
        fc.array(fc.constantFrom(['s', 1000], ['min', 60_000], ['h', 3_600_000]), { minLength: 2, maxLength: 2 }),
        (operations, limits, units) => {
          const text = operations.map((op, i) => `${op}=${limits[i]}/${units[i]![0]}`).join(',');
          const parsed = parseRateLimits(text) as Record<string, { limit: number; windowMs: number }>;
          return operations.every((op, i) => parsed[op]?.limit === limits[i] && parsed[op]?.windowMs === units[i]![1]);
        },
      ),
    );
  });
});
