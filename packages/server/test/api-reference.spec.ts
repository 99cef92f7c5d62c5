/**
 * GET /openapi.yaml, /openapi.json and /docs: the document the server enforces (the one its
 * route table and validators were built from), and a reference page whose every asset is this
 * server's own, under a policy that forbids loading anything from elsewhere.
 */
import request from 'supertest';
import { parse } from 'yaml';
import { loadKmsSpec } from '../src/http/api-spec';
import { DOCS_CONTENT_SECURITY_POLICY } from '../src/http/api-reference';
import { buildTestApp, expectKmsError, type TestApp } from './support';

let test: TestApp;
beforeAll(async () => {
  test = await buildTestApp();
});

describe('the spec and its reference page', () => {
  it('GET /openapi.json and /openapi.yaml serve the enforced document, without a token', async () => {
    const json = await request(test.app).get('/openapi.json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body).toEqual(loadKmsSpec());
    const yaml = await request(test.app).get('/openapi.yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.headers['content-type']).toMatch(/^application\/yaml/);
    expect(parse(yaml.text)).toEqual(loadKmsSpec());
  });

  it('GET /docs is a page that loads only local assets, under a policy forbidding remote loads', async () => {
    const page = await request(test.app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(DOCS_CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(DOCS_CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|unsafe-eval/);
    const references = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      expect(reference).toMatch(/^\/docs\/assets\/[a-z0-9.-]+$/);
      const asset = await request(test.app).get(reference);
      expect({ reference, status: asset.status }).toEqual({ reference, status: 200 });
      expect(asset.body.length || asset.text.length).toBeGreaterThan(0);
    }
  });

  it('serves only the assets the page uses: any other name under /docs/assets is 404 KMS.0201', async () => {
    for (const name of ['index.html', 'swagger-initializer.js', '..%2Fpackage.json', 'package.json']) {
      expectKmsError(await request(test.app).get(`/docs/assets/${name}`), 404, 'KMS.0201');
    }
  });

  it('another method on these paths is 405 KMS.0215 with Allow; a near miss is 404', async () => {
    for (const path of ['/openapi.json', '/openapi.yaml', '/docs']) {
      const response = await request(test.app).post(path).set('Content-Type', 'application/json').send('{}');
      expectKmsError(response, 405, 'KMS.0215');
      expect(response.headers['allow']).toBe('GET, HEAD');
    }
    for (const path of ['/docs/', '/DOCS', '/openapi.yml', '/openapi.json/']) {
      expectKmsError(await request(test.app).get(path), 404, 'KMS.0201');
    }
  });
});
