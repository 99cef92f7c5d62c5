/**
 * Clients that never send a whole request, send garbage instead of HTTP, or open too many
 * connections: each is bounded and answered with the KMS error body, and the server keeps
 * serving everyone else.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../src/testing';

jest.setTimeout(30_000);

let server: TestServer;
let port: number;

beforeAll(async () => {
  server = await startTestServer({ config: { headersTimeoutMs: 1000, requestTimeoutMs: 1500, maxConnections: 20 } });
  port = server.port;
});
afterAll(async () => {
  await server?.stop();
});

/** Opens a raw TCP connection, writes `data`, and resolves with everything the server sent until it closed. */
function rawExchange(data: string | undefined, keepWriting?: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.on('connect', () => {
      if (data !== undefined) socket.write(data);
      keepWriting?.(socket);
    });
  });
}

function statusAndBody(raw: string): { status: number; body: unknown } {
  const [head, body] = raw.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]), body: body ? JSON.parse(body) : undefined };
}

const health = async () => (await fetch(`${server.url}/health`)).status;

it('a client that never finishes its headers is cut off with 408 and the KMS body', async () => {
  const raw = await rawExchange('POST /v1.0/p/kms/create-key HTTP/1.1\r\nHost: x\r\n');
  expect(statusAndBody(raw)).toEqual({ status: 408, body: { error: { error_code: 'KMS.0308', error_msg: expect.any(String) } } });
  expect(await health()).toBe(200);
});

it('a client that sends headers and then trickles its body is cut off too', async () => {
  let timer: NodeJS.Timeout | undefined;
  const { token, projectId } = server;
  const raw = await rawExchange(
    `POST /v1.0/${projectId}/kms/create-key HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${token}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\nX-Request-Id: trickle-1\r\n\r\n{`,
    (socket) => {
      timer = setInterval(() => socket.writable && socket.write(' '), 100);
    },
  );
  clearInterval(timer);
  // Authenticated, so the server waits for the body, until the request timeout.
  expect(statusAndBody(raw)).toEqual({ status: 408, body: { error: { error_code: 'KMS.0308', error_msg: expect.any(String) } } });
  // The audit trail records the answer the client got, not a client abort.
  const recordOf = (id: string) =>
    readFileSync(join(server.dataDir, 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.request_id === id);
  let record: Record<string, unknown> | undefined;
  // Written when the server side of the connection closes; bounded in count.
  for (let attempt = 0; attempt < 100 && !(record = recordOf('trickle-1')); attempt++) await new Promise((r) => setTimeout(r, 20));
  expect(record).toMatchObject({ operation: 'createKey', outcome: 'failure', status: 408 });
  expect(await health()).toBe(200);
});

it('garbage instead of HTTP gets 400 with the KMS body', async () => {
  const raw = await rawExchange('HELLO THERE\r\n\r\n');
  expect(statusAndBody(raw)).toEqual({ status: 400, body: { error: { error_code: 'KMS.0308', error_msg: expect.any(String) } } });
});

it('oversized headers get 431 with the KMS body', async () => {
  const raw = await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  expect(statusAndBody(raw)).toEqual({ status: 431, body: { error: { error_code: 'KMS.0203', error_msg: expect.any(String) } } });
});

it('connections beyond the cap get a short 503 KMS.0104, and the server serves again once they close', async () => {
  const idle: Socket[] = [];
  for (let n = 0; n < 20; n++) {
    idle.push(
      await new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
      }),
    );
  }
  // The 21st connection is answered at once with a short 503 and closed, whether or not it sent its request.
  for (const request of ['GET /health HTTP/1.1\r\nHost: x\r\n\r\n', undefined]) {
    const refused = await rawExchange(request);
    expect(statusAndBody(refused)).toEqual({ status: 503, body: { error: { error_code: 'KMS.0104', error_msg: expect.any(String) } } });
    expect(refused).toMatch(/\r\nConnection: close\r\n/);
  }
  for (const socket of idle) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await health()).toBe(200);
});
