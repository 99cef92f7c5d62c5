/**
 * Fault suite, hostile clients: each hostile request of issue 18 sent over raw sockets to a
 * real `openkms-server` process (SQLite store). Every answer is a 4xx (or the connection
 * limit's 503) with the KMS body, never a 500; the process keeps serving; no error-level line
 * is logged; the audit log stays whole and records the client that hung up as 499.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { newTenant, startServerProcess, writeTokenFile, type ServerProcess } from '../src/testing';

jest.setTimeout(120_000);

const MAX_CONNECTIONS = 6;
const tenant = newTenant();
let work: string;
let server: ServerProcess;
let port: number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'openkms-fault-hostile-'));
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
  server = await startServerProcess(
    ['--data-dir', join(work, 'data'), '--token-file', join(work, 'tokens.json'), '--max-connections', String(MAX_CONNECTIONS)],
    { cwd: work },
  );
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const path = (operation: string) => `/v1.0/${tenant.projectId}/kms/${operation}`;

/** A raw HTTP/1.1 request with `Connection: close`; a header given as '' is left out. */
function rawRequest(target: string, body: Buffer | string, headers: Record<string, string> = {}): Buffer {
  const payload = Buffer.from(body);
  const all: Record<string, string> = {
    Host: 'kms.test',
    'X-Auth-Token': tenant.token,
    'Content-Type': 'application/json',
    'Content-Length': String(payload.length),
    Connection: 'close',
    ...headers,
  };
  const lines = [`POST ${target} HTTP/1.1`, ...Object.entries(all).flatMap(([name, value]) => (value === '' ? [] : [`${name}: ${value}`]))];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]);
}

/** Sends `data` on a new connection and resolves with what came back once the server closed it. */
function exchange(data: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(data));
  });
}

function answerOf(raw: string): { status: number; code: string | undefined } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, code: body ? (JSON.parse(body) as { error?: { error_code?: string } }).error?.error_code : undefined };
}

const byte = (before: string, value: number, after: string) =>
  Buffer.concat([Buffer.from(before), Buffer.from([value]), Buffer.from(after)]);

function logLines(): Array<Record<string, unknown>> {
  return server.logLines();
}

function auditLines(): string[] {
  return readFileSync(join(work, 'data', 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean);
}

it('answers each hostile request with its 4xx and the KMS body, and keeps serving', async () => {
  const cases: Array<[string, Buffer | string, number, string]> = [
    ['absolute-form to an unknown path', rawRequest('http://x/v1.0/nope', '{}'), 404, 'KMS.0201'],
    ['a #fragment', rawRequest(`${path('list-keys')}#frag`, '{}'), 400, 'KMS.0308'],
    ['gzip garbage', rawRequest(path('list-keys'), 'garbage, not gzip', { 'Content-Encoding': 'gzip' }), 415, 'KMS.0308'],
    ['a valid gzip body', rawRequest(path('list-keys'), gzipSync('{}'), { 'Content-Encoding': 'gzip' }), 415, 'KMS.0308'],
    ['no Host on HTTP/1.1', rawRequest(path('list-keys'), '{}', { Host: '' }), 400, 'KMS.0308'],
    ['Expect: 200-ok', rawRequest(path('list-keys'), '{}', { Expect: '200-ok' }), 417, 'KMS.0308'],
    ['a malformed request line', 'POST /v1.0 HTTP/9.9 extra\r\n\r\n', 400, 'KMS.0308'],
    ['CONNECT', 'CONNECT kms.test:443 HTTP/1.1\r\nHost: kms.test:443\r\n\r\n', 405, 'KMS.0215'],
    ['headers too large', rawRequest(path('list-keys'), '{}', { 'X-Big': 'a'.repeat(20_000) }), 431, 'KMS.0203'],
    ['invalid UTF-8 (0xff)', rawRequest(path('create-key'), byte('{"key_alias":"a', 0xff, '"}')), 400, 'KMS.0202'],
    ['invalid UTF-8 (0xfe)', rawRequest(path('create-key'), byte('{"key_alias":"a', 0xfe, '"}')), 400, 'KMS.0202'],
    ['duplicate keys', rawRequest(path('create-key'), '{"key_alias":"bad alias!","key_alias":"ok"}'), 400, 'KMS.0202'],
    [
      '100-continue with a wrong token',
      rawRequest(path('list-keys'), '', { Expect: '100-continue', 'X-Auth-Token': 'okms_wrong', 'Content-Length': '2' }),
      403,
      'KMS.0302',
    ],
  ];
  for (const [name, request, status, code] of cases) {
    const raw = await exchange(request);
    expect({ name, continued: raw.includes('100 Continue'), ...answerOf(raw) }).toEqual({ name, continued: false, status, code });
  }
  // The absolute form of a real path is served.
  expect(answerOf(await exchange(rawRequest(`http://x${path('create-key')}`, '{"key_alias":"fault/absolute"}'))).status).toBe(200);
});

it('records a client that hangs up mid-body as 499 at info level, with no error anywhere', async () => {
  const requestId = `hangup-${randomUUID()}`;
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.write(rawRequest(path('create-key'), '', { 'Content-Length': '200', 'X-Request-Id': requestId }));
      socket.write('{"key_alias":"half');
      setTimeout(() => socket.destroy(), 300);
    });
  });
  const line = await server.waitForLine((entry) => (entry.req as { id?: string } | undefined)?.id === requestId, 'the aborted request');
  expect(line).toMatchObject({ level: 30, msg: 'request aborted', res: { statusCode: 499 } });
  const record = auditLines()
    .map((text) => JSON.parse(text) as Record<string, unknown>)
    .find((entry) => entry.request_id === requestId);
  expect(record).toMatchObject({ operation: 'createKey', outcome: 'failure', status: 499 });
  expect(record?.error_code).toBeUndefined();
});

it('answers connections beyond --max-connections with 503 KMS.0104 and serves again once they close', async () => {
  const held: Socket[] = [];
  for (let n = 0; n < MAX_CONNECTIONS; n++) {
    held.push(
      await new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
      }),
    );
  }
  // The server counts a connection when it accepts it; bounded retries, in case the last ones are not counted yet.
  let refused: string | undefined;
  for (let attempt = 0; attempt < 20 && refused === undefined; attempt++) {
    const raw = await exchange(rawRequest(path('list-keys'), '{}'));
    if (answerOf(raw).status === 503) refused = raw;
    else await new Promise((r) => setTimeout(r, 50));
  }
  expect(answerOf(refused ?? '')).toEqual({ status: 503, code: 'KMS.0104' });
  expect(refused).toMatch(/\r\nConnection: close\r\n/i);
  for (const socket of held) socket.destroy();
  let status = 0;
  for (let attempt = 0; attempt < 40 && status !== 200; attempt++) {
    status = answerOf(await exchange(rawRequest(path('list-keys'), '{}'))).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  expect(status).toBe(200);
});

it('kept running, logged no error, and left every audit line whole', async () => {
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  expect(server.child.exitCode).toBeNull();
  const errors = logLines().filter((line) => (line.level as number) >= 50);
  expect(errors).toEqual([]);
  expect(server.stdout()).not.toMatch(/KMS\.0101/);
  for (const text of auditLines()) expect(() => JSON.parse(text)).not.toThrow();
});
