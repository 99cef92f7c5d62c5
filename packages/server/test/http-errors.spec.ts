import request from 'supertest';
import { MemoryKeyStore } from '@openkms/core';
import { MAX_BODY_BYTES } from '../src/http/app';
import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

describe('errors outside the operations: every non-2xx carries the KMS error body', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  const url = (op: string, projectId: string = CALLERS.alice.projectId) => `/v1.0/${projectId}/kms/${op}`;

  describe('routing', () => {
    it.each([
      // GET / and GET /v1.0 are version discovery (api-versions.spec.ts); other versions are unknown paths.
      ['GET', '/v2.0'],
      ['POST', '/v1'],
      ['POST', '/v1.0/project-a/kms/create-keys'],
      ['POST', '/v1.0/project-a/kms/create-grant'],
      ['POST', '/v1.0/project-a/kms/create-key/'],
      ['POST', '/v2.0/project-a/kms/create-key'],
      ['POST', '/v1.0/kms/create-key'],
      ['DELETE', '/anything/at/all'],
    ])('%s %s is 404 KMS.0201, before any token check', async (method, path) => {
      const res = await request(t.app)[method.toLowerCase() as 'get'](path);
      expectKmsError(res, 404, 'KMS.0201');
    });

    it.each(['get', 'put', 'patch', 'delete'] as const)('%s on an operation path is 405 KMS.0215 with Allow: POST', async (method) => {
      const res = await request(t.app)[method](url('create-key'));
      expectKmsError(res, 405, 'KMS.0215');
      expect(res.headers.allow).toBe('POST');
    });
  });

  describe('authentication (403, never 401)', () => {
    it('missing or empty X-Auth-Token is KMS.0301', async () => {
      expectKmsError(await request(t.app).post(url('create-key')).send({ key_alias: 'a' }), 403, 'KMS.0301');
      expectKmsError(await request(t.app).post(url('create-key')).set('X-Auth-Token', '').send({ key_alias: 'a' }), 403, 'KMS.0301');
      expectKmsError(await request(t.app).post(url('create-key')).set('X-Auth-Token', '   ').send({ key_alias: 'a' }), 403, 'KMS.0301');
    });

    it('an unknown token is KMS.0302, including one that differs by a character or a case', async () => {
      for (const token of ['nope', `${CALLERS.alice.token}x`, CALLERS.alice.token.toUpperCase(), CALLERS.alice.token.slice(0, -1)]) {
        expectKmsError(await request(t.app).post(url('create-key')).set('X-Auth-Token', token).send({ key_alias: 'a' }), 403, 'KMS.0302');
      }
    });

    it("a valid token on another project's URL is KMS.0305, for both operations", async () => {
      for (const op of ['create-key', 'create-datakey']) {
        const res = await request(t.app).post(url(op, CALLERS.bob.projectId)).set('X-Auth-Token', CALLERS.alice.token).send({});
        expectKmsError(res, 403, 'KMS.0305');
      }
    });

    it('checks the token before the body: a bad body with a bad token is 403', async () => {
      const res = await request(t.app).post(url('create-key')).set('X-Auth-Token', 'nope').type('json').send('{not json');
      expectKmsError(res, 403, 'KMS.0302');
    });

    it('never echoes the token', async () => {
      const res = await request(t.app).post(url('create-key')).set('X-Auth-Token', 'secret-token-value').send({ key_alias: 'a' });
      expect(JSON.stringify(res.body)).not.toContain('secret-token-value');
      expect(JSON.stringify(res.headers)).not.toContain('secret-token-value');
    });
  });

  describe('content type', () => {
    it.each([
      ['text/plain', '{"key_alias":"a"}'],
      ['application/x-www-form-urlencoded', 'key_alias=a'],
      ['application/merge-patch+json', '{"key_alias":"a"}'],
    ])('%s is 415 KMS.0308', async (type, body) => {
      expectKmsError(await t.post('create-key').set('Content-Type', type).send(body), 415, 'KMS.0308');
    });

    it('a missing Content-Type is 415 KMS.0308', async () => {
      expectKmsError(await t.post('create-key').send(Buffer.from('{"key_alias":"a"}')), 415, 'KMS.0308');
    });

    it('application/json with charset=utf-8 is accepted; another charset is 415', async () => {
      await t.post('create-key').set('Content-Type', 'application/json; charset=utf-8').send('{"key_alias":"cs"}').expect(200);
      expectKmsError(
        await t.post('create-key').set('Content-Type', 'application/json; charset=klingon').send('{"key_alias":"cs2"}'),
        415,
        'KMS.0308',
      );
    });
  });

  describe('body size', () => {
    it(`a body over ${MAX_BODY_BYTES} bytes is 413 KMS.0203`, async () => {
      const body = JSON.stringify({ key_alias: 'big', key_description: 'x'.repeat(MAX_BODY_BYTES) });
      expectKmsError(await t.post('create-key').type('json').send(body), 413, 'KMS.0203');
    });

    it('a body of exactly the limit is parsed (and then judged by the schema)', async () => {
      const prefix = '{"key_alias":"big","key_description":"';
      const body = `${prefix}${'x'.repeat(MAX_BODY_BYTES - prefix.length - 2)}"}`;
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      expectKmsError(await t.post('create-key').type('json').send(body), 400, 'KMS.1103');
    });
  });

  describe('malformed JSON', () => {
    it.each(['{', '{"key_alias":', "{'key_alias':'a'}", '{"key_alias":"a",}', 'nul', '\u0000'])('%p is 400 KMS.0202', async (body) => {
      expectKmsError(await t.post('create-key').type('json').send(body), 400, 'KMS.0202');
    });

    it('valid JSON that is not an object is 400 KMS.0308', async () => {
      for (const body of ['[]', '"a"', '1', 'null']) {
        expectKmsError(await t.post('create-key').type('json').send(body), 400, 'KMS.0308');
      }
    });

    it('an empty JSON body is a missing required parameter (KMS.0204)', async () => {
      expectKmsError(await t.post('create-key').type('json').send(''), 400, 'KMS.0204');
    });
  });

  it('rejects query parameters the spec does not define with KMS.0308', async () => {
    expectKmsError(
      await request(t.app)
        .post(`${url('create-key')}?debug=1`)
        .set('X-Auth-Token', CALLERS.alice.token)
        .send({ key_alias: 'q' }),
      400,
      'KMS.0308',
    );
  });

  it('an unexpected failure is 500 KMS.0101 and says nothing more', async () => {
    class BrokenStore extends MemoryKeyStore {
      override async insertKey(): Promise<never> {
        throw new Error('disk on fire at /secret/path');
      }
    }
    const broken = await buildTestApp({ store: new BrokenStore() });
    const res = await broken.createKey({ key_alias: 'boom' });
    const error = expectKmsError(res, 500, 'KMS.0101');
    expect(error.error_msg).toBe('Internal error.');
    expect(JSON.stringify(res.body)).not.toContain('/secret/path');
    expect(broken.logs.join('')).toContain('disk on fire');
  });

  it('GET /health answers 200 without a token', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('tags every response, success or error, with an X-Request-Id, echoing a well-formed one', async () => {
    const given = await t.createKey({ key_alias: 'rid' }).set('X-Request-Id', 'client-chosen-id-1');
    expect(given.headers['x-request-id']).toBe('client-chosen-id-1');
    const generated = await request(t.app).get('/nowhere').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
