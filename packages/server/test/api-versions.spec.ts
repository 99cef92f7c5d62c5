import fc from 'fast-check';
import request from 'supertest';
import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

/**
 * Version discovery (spec: listVersions `GET /`, showVersion `GET /{version_id}`): answered
 * without credentials, with the API reference's fields; any version the server does not serve
 * is an unknown path, 404 KMS.0201, whatever the method.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});

const V1 = (origin: string) => ({
  id: 'v1.0',
  links: [{ rel: 'self', href: `${origin}/v1.0/` }],
  version: '',
  status: 'CURRENT',
  updated: '2016-10-29T02:00:00Z',
  min_version: '',
});

describe('GET / and GET /v1.0', () => {
  it('list and describe v1.0 without any credential, its self link on the host the caller addressed', async () => {
    const list = await request(t.app).get('/').set('Host', 'kms.example.test:8443').expect(200);
    expect(list.headers['content-type']).toMatch(/^application\/json/);
    expect(list.body).toEqual({ versions: [V1('http://kms.example.test:8443')] });
    const one = await request(t.app).get('/v1.0').set('Host', 'kms.example.test').expect(200);
    expect(one.body).toEqual({ version: V1('http://kms.example.test') });
    // A percent-encoded version is the same version.
    expect((await request(t.app).get('/v1%2E0').set('Host', 'h').expect(200)).body).toEqual({ version: V1('http://h') });
  });

  it('echo no Host that is not a plain host name or address: the link is then relative', async () => {
    for (const host of ['evil"host', 'a/b', 'x:99999999', 'user@host']) {
      const res = await request(t.app).get('/').set('Host', host).expect(200);
      expect(res.body).toEqual({ versions: [V1('')] });
    }
    expect((await request(t.app).get('/v1.0').set('Host', '[::1]:8080').expect(200)).body).toEqual({ version: V1('http://[::1]:8080') });
  });

  it('ignore whatever credential comes: a valid, an unknown or an empty token, or a signature that cannot verify', async () => {
    for (const headers of [
      { 'X-Auth-Token': CALLERS.alice.token },
      { 'X-Auth-Token': 'not-a-token' },
      { 'X-Auth-Token': '' },
      {
        Authorization: 'SDK-HMAC-SHA256 Access=NOSUCHKEY000000000001, SignedHeaders=host;x-sdk-date, Signature=00',
        'X-Sdk-Date': '20200101T000000Z',
      },
      { Authorization: 'SDK-HMAC-SHA256 garbage', 'X-Auth-Token': CALLERS.alice.token },
    ]) {
      const res = await request(t.app).get('/').set('Host', 'h').set(headers);
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { versions: [V1('http://h')] } });
      expect((await request(t.app).get('/v1.0').set(headers)).status).toBe(200);
    }
  });

  it('another method on these paths is 405 KMS.0215 with Allow: GET', async () => {
    for (const path of ['/', '/v1.0']) {
      for (const method of ['post', 'put', 'delete', 'patch'] as const) {
        const res = await request(t.app)[method](path).set('X-Auth-Token', CALLERS.alice.token);
        expectKmsError(res, 405, 'KMS.0215');
        expect(res.headers.allow).toBe('GET');
      }
    }
  });

  it('a body on these GETs is refused as on user-quotas: a non-JSON type is 415', async () => {
    const res = await request(t.app).get('/').set('Content-Type', 'text/plain').send('hello');
    expectKmsError(res, 415, 'KMS.0308');
  });
});

describe('rate limits', () => {
  it('apply only when an operator names the operation; callers without a credential share one counter', async () => {
    const limited = await buildTestApp({ rateLimits: { listVersions: { limit: 2, windowMs: 60_000 } } });
    await request(limited.app).get('/').expect(200);
    await request(limited.app).get('/').set('X-Auth-Token', 'anything').expect(200);
    expectKmsError(await request(limited.app).get('/'), 429, 'KMS.0429');
    // showVersion is not named: not limited.
    for (let n = 0; n < 3; n++) await request(limited.app).get('/v1.0').expect(200);
  });
});

describe('an unknown version is an unknown path', () => {
  it.each(['/v2.0', '/v1', '/V1.0', '/v1.0/', '/v1.00', '/v1.0%20', '//v1.0'])('GET %s is 404 KMS.0201', async (path) => {
    expectKmsError(await request(t.app).get(path), 404, 'KMS.0201');
  });

  // Paths other routers serve at the root, and dot segments (which the URL parser folds away).
  const SERVED = /^(?:health|healthz|docs|openapi\.json|openapi\.yaml|metrics|\.{1,2})$/i;

  it('property: any single segment but v1.0, under any method, is 404 KMS.0201 (never a route, never a 405)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('v1.0 ', 'v1.1', 'v2', 'kms', 'v1.0.0', 'V1.0')),
        async (method, segment) => {
          fc.pre(segment !== 'v1.0' && !SERVED.test(segment));
          const res = await request(t.app)[method.toLowerCase() as 'get'](`/${encodeURIComponent(segment)}`);
          expect({ status: res.status, code: (res.body as { error?: { error_code?: string } }).error?.error_code }).toEqual({
            status: 404,
            code: 'KMS.0201',
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
