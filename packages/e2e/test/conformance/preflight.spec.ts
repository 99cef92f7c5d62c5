import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultyServer, type FaultyServer } from './broken/fault-proxy';
import { ALICE, startReferenceServer, type ReferenceServer } from './support/reference-server';
import { runCli } from './support/run-cli';

/** A plain HTTP server; counts the requests it gets so a test can tell the kit stopped after its probe. */
async function plainServer(answer: (path: string) => { status: number; headers: Record<string, string>; body: string } | 'hang') {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const reply = answer(req.url ?? '/');
    if (reply === 'hang') return;
    res.writeHead(reply.status, reply.headers).end(reply.body);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

const args = (url: string, ...more: string[]) => ['--base-url', url, '--project-id', ALICE.projectId, '--token', ALICE.token, ...more];
const HTML = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>',
};

function expectOneLine(stderr: string, pattern: RegExp) {
  expect(stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(pattern)]);
}

describe('an unusable target is one line and exit 2, before any check', () => {
  it('a closed port: connection refused', async () => {
    const closed = await plainServer(() => HTML);
    await closed.close();
    const result = await runCli(args(closed.url));
    process.stdout.write(`closed port: exit ${result.code} after ${result.elapsedMs} ms\n`);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expectOneLine(result.stderr, /^openkms-conformance: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)$/);
  });

  it('a web server answering HTML to every path: not a KMS server, after at most two requests', async () => {
    const web = await plainServer(() => HTML);
    try {
      const result = await runCli(args(web.url));
      process.stdout.write(`HTML server: exit ${result.code} after ${result.elapsedMs} ms, ${web.requests()} requests\n`);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expectOneLine(
        result.stderr,
        /does not look like a KMS server: POST \/v1\.0\/project-alice\/kms\/create-key answered 200 text\/html.*Welcome to nginx.*not a KMS error body/,
      );
      expect(web.requests()).toBeLessThanOrEqual(2);
    } finally {
      await web.close();
    }
  });

  it('a redirect to https names where it points', async () => {
    const redirect = await plainServer((path) => ({
      status: 301,
      headers: { location: `https://kms.example.net${path}`, 'content-type': 'text/html' },
      body: '<a>moved</a>',
    }));
    try {
      const result = await runCli(args(redirect.url));
      expect(result.code).toBe(2);
      expectOneLine(
        result.stderr,
        /answered 301 text\/html \(redirect to https:\/\/kms\.example\.net\/v1\.0\/project-alice\/kms\/create-key\)/,
      );
    } finally {
      await redirect.close();
    }
  });

  it('a server that never answers: the time limit of one request, not one per check', async () => {
    const silent = await plainServer(() => 'hang');
    try {
      const result = await runCli(args(silent.url, '--timeout', '300'));
      expect(result.code).toBe(2);
      expectOneLine(result.stderr, /^openkms-conformance: cannot reach http:\/\/127\.0\.0\.1:\d+: no answer within 300 ms$/);
      // The probe's one request (it may not have reached the handler before the kit gave up).
      expect(silent.requests()).toBeLessThanOrEqual(1);
    } finally {
      await silent.close();
    }
  });

  it('bad usage is one line too: an unknown option (with its suggestion), a base URL that is not http(s)', async () => {
    const unknown = await runCli(['--onyl', 'auth']);
    expect(unknown.code).toBe(2);
    expectOneLine(unknown.stderr, /^error: unknown option '--onyl' \(Did you mean --only\?\) \(see openkms-conformance --help\)$/);
    const ftp = await runCli(args('ftp://kms.example.net'));
    expect(ftp.code).toBe(2);
    expectOneLine(ftp.stderr, /--base-url ftp:\/\/kms\.example\.net is not an http:\/\/ or https:\/\/ URL/);
    const version = await runCli(['--version']);
    expect({ code: version.code, stdout: version.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });
});

describe('a gateway in front of a KMS', () => {
  it('answering every request with its own error body ({error_code} at the top) is judged, not refused', async () => {
    // As an API gateway answers a request without the credentials it wants, before the KMS sees it.
    const gateway = await plainServer(() => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information', request_id: 'r-1' }),
    }));
    try {
      const result = await runCli(args(gateway.url, '--only', 'CK-AUTH-MISSING-TOKEN'));
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^FAILED\s+CK-AUTH-MISSING-TOKEN /m);
    } finally {
      await gateway.close();
    }
  });
});

describe('a KMS server is judged even when its error bodies are broken', () => {
  let upstream: ReferenceServer;
  let broken: FaultyServer;

  beforeAll(async () => {
    upstream = await startReferenceServer();
    // Errors as plain text: the probe's first answer is no KMS error body, but the server routes KMS paths.
    broken = await startFaultyServer(upstream.url, async (request, forward) => {
      const response = await forward(request);
      return response.status >= 400 ? { status: response.status, headers: { 'content-type': 'text/plain' }, body: 'denied' } : response;
    });
  });

  afterAll(async () => {
    await broken.close();
    await upstream.close();
  });

  it('runs the checks and fails them (exit 1), it does not stop at the probe', async () => {
    const result = await runCli(args(broken.url, '--only', 'CK-AUTH-MISSING-TOKEN'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED\s+CK-AUTH-MISSING-TOKEN /m);
  });
});
