import fc from 'fast-check';
import { createKmsClient, KmsError, type KmsClientTokenOptions } from '../src';
import { backoffDelayMs, DEFAULT_RETRY, parseRetryAfterMs, retryPolicy } from '../src/retry';

/** A scripted server: each try takes the next answer; every request is recorded. */
function scriptedFetch(answers: Array<() => Response>) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new Error('the test script ran out of answers');
    return next();
  }) as typeof fetch;
  return { fetchFn, requests };
}

const ok = (body: unknown) => () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
const kmsError =
  (status: number, code: string, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify({ error: { error_code: code, error_msg: `message of ${code}` } }), {
      status,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': `rid-${status}`, ...headers },
    });
const KEY = { key_info: { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', domain_id: 'b168fe00ff56492495a7d22974df2d0b' } };

function client(fetchFn: typeof fetch, options: Partial<KmsClientTokenOptions> = {}) {
  const sleeps: number[] = [];
  const kms = createKmsClient(
    { endpoint: 'http://kms.test:8080/', projectId: 'p1', token: 'tok', fetch: fetchFn, ...options },
    { random: () => 0.5, sleep: async (ms) => void sleeps.push(ms), now: () => Date.parse('2026-11-23T10:00:00Z') },
  );
  return { kms, sleeps };
}

describe('createKmsClient requests', () => {
  it('sends the token, JSON body and path of the project', async () => {
    const { fetchFn, requests } = scriptedFetch([ok(KEY)]);
    const { kms } = client(fetchFn);
    await expect(kms.createKey({ key_alias: 'a/b', sequence: 'x'.repeat(36) })).resolves.toEqual(KEY);
    expect(requests).toHaveLength(1);
    const [{ url, init }] = requests as [{ url: string; init: RequestInit }];
    expect(url).toBe('http://kms.test:8080/v1.0/p1/kms/create-key');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'X-Auth-Token': 'tok', 'Content-Type': 'application/json' });
    expect(JSON.parse(String(init.body))).toEqual({ key_alias: 'a/b', sequence: 'x'.repeat(36) });
  });

  it('asks a token provider before every try', async () => {
    const { fetchFn, requests } = scriptedFetch([kmsError(503, 'KMS.0101'), ok(KEY)]);
    let n = 0;
    const { kms } = client(fetchFn, { token: async () => `tok-${++n}` });
    await kms.createKey({ key_alias: 'a' });
    expect(requests.map((r) => (r.init.headers as Record<string, string>)['X-Auth-Token'])).toEqual(['tok-1', 'tok-2']);
  });

  it.each([
    [
      'createDatakeyWithoutPlaintext',
      'create-datakey-without-plaintext',
      { key_id: 'alias/a', datakey_length: '512' },
      { key_id: KEY.key_info.key_id, cipher_text: '0200' },
    ],
    ['genRandom', 'gen-random', { random_data_length: '512' }, { random_data: 'AB'.repeat(64) }],
    ['encryptData', 'encrypt-data', { key_id: 'alias/a', plain_text: 'hi' }, { key_id: KEY.key_info.key_id, cipher_text: 'RAE=' }],
    [
      'decryptData',
      'decrypt-data',
      { cipher_text: 'RAE=', encryption_context: { k: 'v' } },
      { key_id: KEY.key_info.key_id, plain_text: 'hi', plain_text_base64: 'aGk=' },
    ],
    [
      'updateKeyAlias',
      'update-key-alias',
      { key_id: KEY.key_info.key_id, key_alias: 'b' },
      { key_info: { key_id: KEY.key_info.key_id, key_alias: 'b' } },
    ],
    [
      'updateKeyDescription',
      'update-key-description',
      { key_id: KEY.key_info.key_id, key_description: 'd' },
      { key_info: { key_id: KEY.key_info.key_id, key_description: 'd' } },
    ],
    ['enableKeyRotation', 'enable-key-rotation', { key_id: KEY.key_info.key_id }, {}],
    ['disableKeyRotation', 'disable-key-rotation', { key_id: KEY.key_info.key_id }, {}],
    ['updateKeyRotationInterval', 'update-key-rotation-interval', { key_id: KEY.key_info.key_id, rotation_interval: 30 }, {}],
    [
      'showKeyRotationStatus',
      'get-key-rotation-status',
      { key_id: KEY.key_info.key_id },
      { key_rotation_enabled: true, rotation_interval: 30, last_rotation_time: '1501578672000', number_of_rotations: 3 },
    ],
    ['rotateOnDemand', 'rotate-on-demand', { key_id: KEY.key_info.key_id }, { key_id: KEY.key_info.key_id }],
  ] as const)('%s posts its body to /kms/%s and answers the parsed body', async (method, action, body, answer) => {
    const { fetchFn, requests } = scriptedFetch([ok(answer)]);
    const { kms } = client(fetchFn);
    const call = kms[method] as (request: typeof body) => Promise<unknown>;
    await expect(call(body)).resolves.toEqual(answer);
    expect(requests[0]!.url).toBe(`http://kms.test:8080/v1.0/p1/kms/${action}`);
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual(body);
  });

  it.each([
    ['showUserQuotas', 'user-quotas', { quotas: { resources: [{ type: 'CMK', used: 1, quota: 1000 }] } }],
    ['showUserInstances', 'user-instances', { instance_num: 1 }],
  ] as const)('%s sends GET /kms/%s without a body and answers the parsed body', async (method, action, answer) => {
    const { fetchFn, requests } = scriptedFetch([ok(answer)]);
    const { kms } = client(fetchFn);
    await expect(kms[method]()).resolves.toEqual(answer);
    expect(requests[0]!.url).toBe(`http://kms.test:8080/v1.0/p1/kms/${action}`);
    expect(requests[0]!.init.method).toBe('GET');
    expect(requests[0]!.init.body ?? undefined).toBeUndefined();
  });

  it('listVersions sends GET / and showVersion GET /{version_id}, without a body, outside the project', async () => {
    const version = { id: 'v1.0', links: [], version: '', status: 'CURRENT', updated: '2016-10-29T02:00:00Z', min_version: '' };
    const { fetchFn, requests } = scriptedFetch([ok({ versions: [version] }), ok({ version }), kmsError(404, 'KMS.0201')]);
    const { kms } = client(fetchFn);
    await expect(kms.listVersions()).resolves.toEqual({ versions: [version] });
    await expect(kms.showVersion('v1.0')).resolves.toEqual({ version });
    await expect(kms.showVersion('v9.9')).rejects.toMatchObject({ status: 404, errorCode: 'KMS.0201' });
    expect(requests.map((r) => [r.init.method, r.url, r.init.body ?? undefined])).toEqual([
      ['GET', 'http://kms.test:8080/', undefined],
      ['GET', 'http://kms.test:8080/v1.0', undefined],
      ['GET', 'http://kms.test:8080/v9.9', undefined],
    ]);
  });

  it('turns a gen-random refusal into a KmsError with its code', async () => {
    const { fetchFn } = scriptedFetch([kmsError(400, 'KMS.0308')]);
    const { kms } = client(fetchFn);
    await expect(kms.genRandom({ random_data_length: '7' })).rejects.toMatchObject({ status: 400, errorCode: 'KMS.0308' });
  });

  it('rejects an endpoint that is not an http(s) URL, and a missing project', () => {
    expect(() => createKmsClient({ endpoint: 'kms.test', projectId: 'p', token: 't' })).toThrow(TypeError);
    expect(() => createKmsClient({ endpoint: 'http://kms.test', projectId: '', token: 't' })).toThrow(TypeError);
  });
});

describe('KmsError for every non-2xx', () => {
  it('carries status, error_code, error_msg and the request ID', async () => {
    const { fetchFn } = scriptedFetch([kmsError(400, 'KMS.1104')]);
    const error = await client(fetchFn)
      .kms.createKey({ key_alias: 'a' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ status: 400, errorCode: 'KMS.1104', errorMsg: 'message of KMS.1104', requestId: 'rid-400' });
    expect(String((error as Error).message)).toBe('KMS.1104: message of KMS.1104 (request rid-400)');
  });

  it.each([
    ['an HTML page', 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', /not a KMS error body: <html><body><h1>502 Bad Gateway/],
    ['an empty body', 404, '', /has no body/],
    ['JSON of another shape', 404, '{"message":"Not Found"}', /not a KMS error body: \{"message":"Not Found"\}/],
    ['truncated JSON', 400, '{"error":{"error_code":"KMS.0', /not a KMS error body/],
  ])('still throws a KmsError when the body is %s', async (_what, status, body, message) => {
    const { fetchFn } = scriptedFetch([() => new Response(body, { status })]);
    const error = (await client(fetchFn, { retry: false })
      .kms.createDatakey({ key_id: 'k', datakey_length: '512' })
      .catch((e: unknown) => e)) as KmsError;
    expect(error).toBeInstanceOf(KmsError);
    expect(error.status).toBe(status);
    expect(error.errorCode).toBeUndefined();
    expect(error.errorMsg).toMatch(message);
  });

  it('keeps at most 200 characters of a huge non-JSON body', async () => {
    const { fetchFn } = scriptedFetch([() => new Response('x'.repeat(100_000), { status: 400 })]);
    const error = (await client(fetchFn)
      .kms.createKey({ key_alias: 'a' })
      .catch((e: unknown) => e)) as KmsError;
    expect(error.errorMsg.length).toBeLessThan(300);
  });
});

describe('retries', () => {
  it.each([429, 500, 502, 503, 504])('retries %i, then succeeds', async (status) => {
    const { fetchFn, requests } = scriptedFetch([kmsError(status, 'KMS.0101'), kmsError(status, 'KMS.0101'), ok(KEY)]);
    const { kms, sleeps } = client(fetchFn);
    await expect(kms.createKey({ key_alias: 'a' })).resolves.toEqual(KEY);
    expect(requests).toHaveLength(3);
    // random() = 0.5: half of 200 ms, then half of 400 ms.
    expect(sleeps).toEqual([100, 200]);
    // Every try sends the same body, so a `sequence` identifies them as one request.
    expect(new Set(requests.map((r) => r.init.body)).size).toBe(1);
  });

  it.each([400, 401, 403, 404, 405, 409, 413, 415, 501])('never retries %i', async (status) => {
    const { fetchFn, requests } = scriptedFetch([kmsError(status, 'KMS.0000'), ok(KEY)]);
    const { kms, sleeps } = client(fetchFn);
    await expect(kms.createKey({ key_alias: 'a' })).rejects.toMatchObject({ status });
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxAttempts and throws the last answer', async () => {
    const { fetchFn, requests } = scriptedFetch([kmsError(503, 'KMS.0101'), kmsError(503, 'KMS.0101'), kmsError(500, 'KMS.0101')]);
    const { kms, sleeps } = client(fetchFn, { retry: { maxAttempts: 3 } });
    await expect(kms.createDatakey({ key_id: 'k', datakey_length: '512' })).rejects.toMatchObject({ status: 500, errorCode: 'KMS.0101' });
    expect(requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('retry: false makes one try', async () => {
    const { fetchFn, requests } = scriptedFetch([kmsError(503, 'KMS.0101'), ok(KEY)]);
    await expect(client(fetchFn, { retry: false }).kms.createKey({ key_alias: 'a' })).rejects.toMatchObject({ status: 503 });
    expect(requests).toHaveLength(1);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const { fetchFn } = scriptedFetch([
      kmsError(429, 'KMS.0101', { 'Retry-After': '3' }),
      kmsError(503, 'KMS.0101', { 'Retry-After': 'Mon, 23 Nov 2026 10:00:07 GMT' }),
      ok(KEY),
    ]);
    const { kms, sleeps } = client(fetchFn);
    await kms.createKey({ key_alias: 'a' });
    expect(sleeps).toEqual([3000, 7000]);
  });

  it('caps Retry-After at maxDelayMs', async () => {
    const { fetchFn } = scriptedFetch([kmsError(429, 'KMS.0101', { 'Retry-After': '3600' }), ok(KEY)]);
    const { kms, sleeps } = client(fetchFn, { retry: { maxDelayMs: 2000 } });
    await kms.createKey({ key_alias: 'a' });
    expect(sleeps).toEqual([2000]);
  });

  it('rejects nonsensical retry options', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => retryPolicy({ maxAttempts: 1.5 })).toThrow(RangeError);
    expect(() => retryPolicy({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(retryPolicy(undefined)).toEqual(DEFAULT_RETRY);
    expect(retryPolicy({ maxAttempts: undefined })).toEqual(DEFAULT_RETRY);
  });

  it('backoff stays within [0, min(max, base * 2^(n-1))] for any draw (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelayMs, maxDelayMs, draw) => {
          const policy = { maxAttempts: 10, baseDelayMs, maxDelayMs };
          const delay = backoffDelayMs(policy, retry, null, () => draw, 0);
          return delay >= 0 && delay <= Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
        },
      ),
    );
  });

  it('reads Retry-After as delta-seconds or a date, and ignores anything else', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfterMs('0', now)).toBe(0);
    expect(parseRetryAfterMs(' 12 ', now)).toBe(12_000);
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    for (const junk of ['', '-1', '1.5', 'soon', '12abc']) expect(parseRetryAfterMs(junk, now)).toBeUndefined();
  });
});

describe('deadlines and cancellation', () => {
  /** A fetch that never answers until its signal aborts, like a stuck server. */
  const stuckFetch = (async (_url: string | URL | Request, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      if (init?.signal?.aborted) return reject(init.signal.reason);
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
    })) as typeof fetch;

  it('timeoutMs aborts a stuck call with a TimeoutError', async () => {
    const kms = createKmsClient({ endpoint: 'http://kms.test', projectId: 'p', token: 't', fetch: stuckFetch, timeoutMs: 20 });
    await expect(kms.createKey({ key_alias: 'a' })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it("a caller's AbortSignal cancels the call", async () => {
    const kms = createKmsClient({ endpoint: 'http://kms.test', projectId: 'p', token: 't', fetch: stuckFetch });
    const controller = new AbortController();
    const pending = kms.createDatakey({ key_id: 'k', datakey_length: '512' }, { signal: controller.signal });
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toThrow('user cancelled');
  });

  it('an abort during the wait between tries stops the retries', async () => {
    const { fetchFn, requests } = scriptedFetch([kmsError(503, 'KMS.0101', { 'Retry-After': '60' }), ok(KEY)]);
    const kms = createKmsClient({ endpoint: 'http://kms.test', projectId: 'p', token: 't', fetch: fetchFn, retry: { maxDelayMs: 60_000 } });
    const controller = new AbortController();
    const pending = kms.createKey({ key_alias: 'a' }, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(requests).toHaveLength(1);
  });
});
