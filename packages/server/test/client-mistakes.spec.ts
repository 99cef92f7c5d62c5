/**
 * Every client mistake is a 4xx with the KMS error body, never a 500: odd request targets,
 * content encodings, expectations, a missing Host, a client that hangs up mid-body, and
 * `100 Continue` only once the caller's credential has been checked. Raw sockets, so the
 * server sees exactly the bytes a hostile or broken client sends.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { startTestServer, type TestServer } from '../src/testing';

jest.setTimeout(30_000);

let server: TestServer;
const logs: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({ logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  await server?.stop();
});

interface Answer {
  /** Everything received, as text. */
  readonly raw: string;
  readonly status: number;
  readonly headers: string;
  readonly body: unknown;
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** The final HTTP answer in `raw` (after any `100 Continue`). */
function lastAnswer(raw: string): Answer {
  const final = raw.startsWith(CONTINUE) ? raw.slice(CONTINUE.length) : raw;
  const [head = '', body = ''] = final.split('\r\n\r\n');
  return { raw, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: body ? JSON.parse(body) : undefined };
}

/** Writes `request` on a new connection (asking the server to close it after answering) and resolves with the answer. */
function exchange(request: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(lastAnswer(received)));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(request));
  });
}

/** An HTTP/1.1 request with `Connection: close`; `headers` may override or add to the defaults. */
function httpRequest(target: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST'): Buffer {
  const payload = Buffer.from(body);
  const all: Record<string, string> = {
    Host: 'kms.test',
    'X-Auth-Token': server.token,
    'Content-Type': 'application/json',
    'Content-Length': String(payload.length),
    Connection: 'close',
    ...headers,
  };
  const head = [
    `${method} ${target} HTTP/1.1`,
    ...Object.entries(all)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), payload]);
}

const listKeys = () => `/v1.0/${server.projectId}/kms/list-keys`;

function expectKmsAnswer(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, body: answer.body }).toEqual({
    status,
    body: { error: { error_code: code, error_msg: expect.any(String) } },
  });
  expect(answer.headers).toMatch(/\r\nContent-Type: application\/json/i);
}

function auditRecords(): Array<Record<string, unknown>> {
  const text = readFileSync(join(server.dataDir, 'audit.log'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('request targets', () => {
  it('serves an absolute-form target as its origin-form path (RFC 9112 §3.2.2)', async () => {
    expect((await exchange(httpRequest(`http://kms.test${listKeys()}`, '{}'))).status).toBe(200);
    expect((await exchange(httpRequest(`https://elsewhere.example:8443${listKeys()}?`, '{}'))).status).toBe(200);
  });

  it('answers an absolute-form target to an unknown path with 404 KMS.0201', async () => {
    expectKmsAnswer(await exchange(httpRequest('http://kms.test/v1.0/nope', '{}')), 404, 'KMS.0201');
  });

  it('refuses an absolute-form target of another scheme with 400 KMS.0308', async () => {
    expectKmsAnswer(await exchange(httpRequest(`ftp://kms.test${listKeys()}`, '{}')), 400, 'KMS.0308');
  });

  it('serves an HTTP/1.0 request without Host (only HTTP/1.1 requires it)', async () => {
    const answer = await exchange(httpRequest(listKeys(), '{}', { Host: '' }).toString().replace(' HTTP/1.1\r\n', ' HTTP/1.0\r\n'));
    expect(answer.raw).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('refuses a target with a #fragment with 400 KMS.0308', async () => {
    expectKmsAnswer(await exchange(httpRequest(`${listKeys()}#part`, '{}')), 400, 'KMS.0308');
    expectKmsAnswer(await exchange(httpRequest(`http://kms.test${listKeys()}#x`, '{}')), 400, 'KMS.0308');
  });

  it('answers odd targets with a 4xx and the KMS body, never a bare close', async () => {
    for (const [method, target, status] of [
      ['OPTIONS', '*', 404],
      // `/`: version discovery's path, which answers GET only.
      ['POST', 'http://kms.test', 405],
      ['POST', 'HTTP://KMS.TEST/V1.0', 404],
      ['POST', '//kms.test/v1.0', 404],
      ['POST', 'http:/kms.test', 400],
      ['CONNECT', 'kms.test:443', 405],
    ] as const) {
      const answer = await exchange(httpRequest(target, '{}', {}, method));
      expect({ method, target, status: answer.status, json: answer.headers.includes('application/json') }).toEqual({
        method,
        target,
        status,
        json: true,
      });
    }
  });

  it('refuses an HTTP/1.1 request without Host with 400 and the KMS body', async () => {
    const answer = await exchange(httpRequest(listKeys(), '{}', { Host: '' }));
    expectKmsAnswer(answer, 400, 'KMS.0308');
    expect(answer.headers).toMatch(/\r\nConnection: close/i);
  });
});

describe('content encodings', () => {
  it('serves an identity-encoded body', async () => {
    expect((await exchange(httpRequest(listKeys(), '{}', { 'Content-Encoding': 'identity' }))).status).toBe(200);
  });

  it.each([
    ['gzip garbage', 'gzip', Buffer.from('this is not gzip at all')],
    ['valid gzip', 'gzip', gzipSync('{}')],
    ['deflate', 'deflate', Buffer.from('xx')],
    ['br', 'br', Buffer.from('xx')],
    ['an unknown coding', 'x-rot13', Buffer.from('{}')],
    ['a list of codings', 'identity, gzip', gzipSync('{}')],
  ])('refuses %s with 415 KMS.0308', async (_name, encoding, body) => {
    expectKmsAnswer(await exchange(httpRequest(listKeys(), body, { 'Content-Encoding': encoding })), 415, 'KMS.0308');
  });
});

describe('charsets', () => {
  it('serves UTF-8 JSON and refuses UTF-16 (415 KMS.0308) rather than reading it some other way', async () => {
    expect((await exchange(httpRequest(listKeys(), '{}', { 'Content-Type': 'application/json; charset="UTF-8"' }))).status).toBe(200);
    const utf16 = Buffer.from('{}', 'utf16le');
    expectKmsAnswer(
      await exchange(httpRequest(listKeys(), utf16, { 'Content-Type': 'application/json; charset=utf-16le' })),
      415,
      'KMS.0308',
    );
  });
});

describe('Expect', () => {
  it('answers an expectation other than 100-continue with 417 and the KMS body', async () => {
    expectKmsAnswer(await exchange(httpRequest(listKeys(), '{}', { Expect: '200-ok' })), 417, 'KMS.0308');
  });

  /** Sends the head with `Expect: 100-continue`, and the body only if the server says 100 Continue. */
  function expectContinue(target: string, token: string, headers: Record<string, string> = {}): Promise<Answer> {
    const body = '{}';
    const head = httpRequest(target, '', {
      Expect: '100-continue',
      'X-Auth-Token': token,
      'Content-Length': String(body.length),
      ...headers,
    });
    return new Promise((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
        if (received === CONTINUE) {
          socket.write(body);
        }
      });
      socket.on('close', () => resolve(lastAnswer(received)));
      socket.on('error', reject);
      socket.on('connect', () => socket.write(head));
    });
  }

  it('sends 100 Continue only after the token is checked', async () => {
    const good = await expectContinue(listKeys(), server.token);
    expect(good.raw.startsWith(CONTINUE)).toBe(true);
    expect(good.status).toBe(200);

    const badToken = await expectContinue(listKeys(), 'okms_not_a_token', { 'X-Request-Id': 'continue-refused' });
    expect(badToken.raw).not.toMatch(/100 Continue/);
    expectKmsAnswer(badToken, 403, 'KMS.0302');
    // Answered without reading the body: a refusal, not a client abort.
    const line = await waitFor('the log line', () =>
      logs
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => (entry.req as { id?: string })?.id === 'continue-refused'),
    );
    expect(line).toMatchObject({ msg: 'request completed', res: { statusCode: 403 }, error_code: 'KMS.0302' });

    const noToken = await expectContinue(listKeys(), '');
    expect(noToken.raw).not.toMatch(/100 Continue/);
    expectKmsAnswer(noToken, 403, 'KMS.0301');
  });

  it('refuses a wrong content type, a content coding or a body too large without 100 Continue', async () => {
    for (const [headers, status] of [
      [{ 'Content-Type': 'text/plain' }, 415],
      [{ 'Content-Encoding': 'gzip' }, 415],
      [{ 'Content-Length': String(64 * 1024 + 1) }, 413],
    ] as const) {
      const answer = await expectContinue(listKeys(), server.token, headers);
      expect({ headers, continued: answer.raw.includes('100 Continue'), status: answer.status }).toEqual({
        headers,
        continued: false,
        status,
      });
      expect(answer.headers).toMatch(/\r\nConnection: close/i);
    }
  });

  it('answers an unknown path without 100 Continue', async () => {
    const answer = await expectContinue('/v1.0/nope', server.token);
    expect(answer.raw).not.toMatch(/100 Continue/);
    expectKmsAnswer(answer, 404, 'KMS.0201');
  });
});

describe('a client that hangs up mid-body', () => {
  it('is recorded as a client abort (499, info level), never as a server fault', async () => {
    const requestId = 'client-abort-1';
    const head = httpRequest(listKeys(), '', { 'Content-Length': '100', 'X-Request-Id': requestId });
    await new Promise<void>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.on('connect', () => {
        socket.write(Buffer.concat([head, Buffer.from('{"limit":')]));
        // Long enough for the server to be reading the body when the client goes.
        setTimeout(() => socket.destroy(), 200);
      });
    });
    const record = await waitFor('the audit record', () => auditRecords().find((line) => line.request_id === requestId));
    expect(record).toMatchObject({ operation: 'listKeys', outcome: 'failure', status: 499 });
    expect(record.error_code).toBeUndefined();
    const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const about = lines.filter((line) => (line.req as { id?: string } | undefined)?.id === requestId);
    expect(about.map((line) => [line.level, line.msg])).toEqual([[30, 'request aborted']]);
    expect(about[0]).toMatchObject({ res: { statusCode: 499 } });
    expect(logs.join('\n')).not.toMatch(/KMS\.0101/);
  });
});

describe('JSON bodies', () => {
  const post = async (operation: string, body: Buffer | string) => {
    const res = await fetch(`${server.url}/v1.0/${server.projectId}/kms/${operation}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': server.token },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { error_code: string } } };
  };
  const withByte = (before: string, byte: number, after: string) =>
    Buffer.concat([Buffer.from(before), Buffer.from([byte]), Buffer.from(after)]);

  it('refuses invalid UTF-8 with 400 KMS.0202, so two raw bytes never read as one context', async () => {
    const created = await post('create-key', JSON.stringify({ key_alias: 'utf8-check' }));
    expect(created.status).toBe(200);
    const keyId = (created.body.key_info as { key_id: string }).key_id;
    for (const byte of [0xff, 0xfe]) {
      const answer = await post(
        'create-datakey',
        withByte(`{"key_id":"${keyId}","datakey_length":"256","encryption_context":{"a":"`, byte, '"}}'),
      );
      expect({ byte, status: answer.status, code: answer.body.error?.error_code }).toEqual({ byte, status: 400, code: 'KMS.0202' });
    }
    const alias = await post('create-key', withByte('{"key_alias":"a', 0xc0, '"}'));
    expect({ status: alias.status, code: alias.body.error?.error_code }).toEqual({ status: 400, code: 'KMS.0202' });
  });

  it('leaves a lone surrogate escape, valid JSON, to the field that binds it (KMS.0208 for a context)', async () => {
    const created = await post('create-key', JSON.stringify({ key_alias: 'surrogate-check' }));
    const keyId = (created.body.key_info as { key_id: string }).key_id;
    const answer = await post('create-datakey', `{"key_id":"${keyId}","datakey_length":"256","encryption_context":{"a":"\\ud800"}}`);
    expect({ status: answer.status, code: answer.body.error?.error_code }).toEqual({ status: 400, code: 'KMS.0208' });
  });

  it('refuses duplicate keys, at the top and nested, with 400 KMS.0202', async () => {
    const top = await post('create-key', '{"key_alias":"bad alias!","key_alias":"dup-ok"}');
    expect({ status: top.status, code: top.body.error?.error_code }).toEqual({ status: 400, code: 'KMS.0202' });
    const nested = await post('create-datakey', '{"key_id":"x","datakey_length":"256","encryption_context":{"a":"1","\\u0061":"2"}}');
    expect({ status: nested.status, code: nested.body.error?.error_code }).toEqual({ status: 400, code: 'KMS.0202' });
  });
});
