/**
 * Our SDK-HMAC-SHA256 signer judged against the official one: for random requests, the
 * Authorization header we produce must equal what the published Huawei Cloud SDK core's signer
 * (`@huaweicloud/huaweicloud-sdk-core` 3.1.211, `auth/AKSKSigner.js`) produces for the same
 * request. Never only against our own server's verifier, so a bug shared by both sides fails here.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { basicIsoDate, createRequestSigner } from '../src/sign-request';

/** What the SDK core's signer takes: the URL whole, query parameters as an object, the body as data it JSON-encodes. */
interface SdkRequest {
  method: string;
  endpoint: string;
  headers: Record<string, string>;
  queryParams: Record<string, string | string[]>;
  data?: unknown;
}

function officialAuthorization(request: SdkRequest, accessKey: string, secretKey: string): string {
  const credentials = new BasicCredentials().withAk(accessKey).withSk(secretKey);
  const signed = AKSKSigner.sign(request, credentials) as Record<string, string>;
  return signed.Authorization as string;
}

/**
 * A path segment as a client puts it on the wire: any Unicode text percent-encoded (every byte but
 * RFC 3986 unreserved ones, as the SDK encodes path parameters), or raw characters that both the
 * WHATWG URL (what fetch sends) and Node's legacy url.parse (what the SDK core signs) leave alone.
 * Not `'`, `|` or `^`: url.parse escapes them and axios sends them raw, so the SDK itself
 * disagrees with the wire there. Not `.`/`..` segments, which a URL normalises away.
 */
const strictEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const segment = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 12 }).map(strictEncode), fc.stringMatching(/^[A-Za-z0-9!$&()*+,;=:@._~-]{0,12}$/))
  .filter((s) => !/^(\.|%2e){1,2}$/i.test(s));
const queryText = fc.string({ unit: 'binary', minLength: 1, maxLength: 10 });
const headerName = fc
  .stringMatching(/^x-[a-z0-9-]{1,16}$/)
  .filter((name) => !['x-sdk-date', 'x-sdk-content-sha256', 'x-project-id'].includes(name));
// fetch strips leading and trailing white space from a value; the SDK signs values as given.
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
  origin: fc.constantFrom('http://127.0.0.1:8080', 'https://kms.ap-southeast-1.myhuaweicloud.com', 'http://[::1]:9', 'http://kms.test'),
  segments: fc.array(segment, { maxLength: 6 }),
  trailingSlash: fc.boolean(),
  query: fc.array(fc.tuple(queryText, queryText), { maxLength: 5 }),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
  contentType: fc.option(fc.constantFrom('application/json', 'application/json;charset=UTF-8', 'text/plain'), { nil: undefined }),
  projectId: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }),
  body: fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), {
    nil: undefined,
  }),
  date: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
  accessKey: fc.stringMatching(/^[A-Z0-9]{20}$/),
  secretKey: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
});

describe('our signer equals the official SDK core signer', () => {
  it('for random methods, odd paths, queries, headers, bodies, dates and keys', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = `/${r.segments.join('/')}${r.trailingSlash ? '/' : ''}`;
        const search = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const url = new URL(`${r.origin}${path}${search ? `?${search}` : ''}`).href;
        const headers: Record<string, string> = { ...r.headers };
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.projectId !== undefined) headers['X-Project-Id'] = r.projectId;
        const body = r.body === undefined ? undefined : JSON.stringify(r.body);

        const ours = await createRequestSigner(r).sign({ method: r.method, url, headers, body }, r.date);

        // No prototype: keys such as "valueOf" or "__proto__" are plain keys here.
        const queryParams = Object.create(null) as Record<string, string | string[]>;
        for (const [k, v] of r.query) {
          const previous = queryParams[k];
          queryParams[k] = previous === undefined ? v : [...(Array.isArray(previous) ? previous : [previous]), v];
        }
        const official = officialAuthorization(
          { method: r.method, endpoint: url, headers: { ...headers, 'X-Sdk-Date': ours['X-Sdk-Date'] }, queryParams, data: r.body },
          r.accessKey,
          r.secretKey,
        );
        expect(ours.Authorization).toBe(official);
        expect(ours['X-Sdk-Date']).toBe(basicIsoDate(r.date));
      }),
      { numRuns: 300 },
    );
    // Generous: two cores shared with other suites; the property itself takes about a second.
  }, 120_000);

  it('signs X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD instead of the body, as the SDK does', async () => {
    const headers = { 'content-type': 'application/octet-stream', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' };
    const date = new Date('2026-12-03T06:15:49Z');
    const url = 'http://127.0.0.1:8080/v1.0/p/kms/x';
    const ours = await createRequestSigner({ accessKey: 'AK', secretKey: 'SK' }).sign({ method: 'PUT', url, headers, body: 'raw' }, date);
    const official = officialAuthorization(
      { method: 'PUT', endpoint: url, headers: { ...headers, 'X-Sdk-Date': '20261203T061549Z' }, queryParams: {} },
      'AK',
      'SK',
    );
    expect(ours.Authorization).toBe(official);
  });

  it('a different body, path, query, header, date or secret key gives a different signature', async () => {
    const signer = createRequestSigner({ accessKey: 'AK', secretKey: 'SK' });
    const base = { method: 'POST', url: 'http://h/v1.0/p/kms/create-key?a=1', headers: { 'content-type': 'application/json' }, body: '{}' };
    const date = new Date('2026-12-03T06:15:49Z');
    const signature = async (changes: Partial<typeof base>, at = date, key = signer) =>
      (await key.sign({ ...base, ...changes }, at)).Authorization.replace(/^.*Signature=/, '');
    const original = await signature({});
    const variants = [
      await signature({ body: '{ }' }),
      await signature({ url: 'http://h/v1.0/p/kms/create-datakey?a=1' }),
      await signature({ url: 'http://h/v1.0/p/kms/create-key?a=2' }),
      await signature({ headers: { 'content-type': 'text/plain' } }),
      await signature({ method: 'PUT' }),
      await signature({}, new Date(date.getTime() + 1000)),
      await signature({}, date, createRequestSigner({ accessKey: 'AK', secretKey: 'SK2' })),
    ];
    expect(new Set([original, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('the signer keeps its secret', () => {
  const secretKey = 'sk-3f1c-very-secret';

  it('holds the SK only as a non-extractable key: nothing enumerable or printable carries it', () => {
    const signer = createRequestSigner({ accessKey: 'AK', secretKey });
    expect(JSON.stringify(signer)).not.toContain(secretKey);
    expect(inspect(signer, { showHidden: true, depth: 5 })).not.toContain(secretKey);
  });

  it('names a bad field in its errors, never a value', () => {
    for (const credentials of [
      { accessKey: '', secretKey },
      { accessKey: 'has space', secretKey },
      { accessKey: 'AK', secretKey: '' },
    ]) {
      let message = '';
      try {
        createRequestSigner(credentials);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/accessKey|secretKey/);
      expect(message).not.toContain(secretKey);
      expect(message).not.toContain('has space');
    }
  });

  it('refuses a request giving one header twice under two spellings', async () => {
    const signer = createRequestSigner({ accessKey: 'AK', secretKey });
    await expect(signer.sign({ method: 'GET', url: 'http://h/', headers: { 'X-A': '1', 'x-a': '2' } }, new Date())).rejects.toThrow(
      'header x-a is given twice',
    );
  });
});
