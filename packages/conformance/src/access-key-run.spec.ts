/**
 * The kit with an access key instead of a token: every request of an ordinary check, and of the
 * cleanup, is signed so that the official SDK core's signer computes the same Authorization over
 * what the server received; no token is sent; the checks about X-Auth-Token itself are skipped
 * with their reason. A local server stands in for the KMS (the live runs are in packages/e2e).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { authChecks } from './checks/auth';
import type { Check } from './checks/check';
import { runConformance } from './run-conformance';
import { main } from './cli';

const ACCESS_KEY = 'QTWAOYTTINDUT2QVKYUC';
const SECRET_KEY = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const PROJECT = '4b4e5e3c1ad54bc6a0bd3e2f0b3c2a91';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const received: Received[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = req.url?.endsWith('/create-key')
        ? { key_info: { key_id: randomUUID(), domain_id: 'b168fe00ff56492495a7d22974df2d0b' } }
        : { key_id: 'k', key_state: '4' };
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': randomUUID() });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
beforeEach(() => (received.length = 0));

/** The Authorization the official signer computes over a request as received, from the headers it says it signed. */
function officialAuthorization(request: Received): string {
  const names = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1]?.split(';') ?? [];
  const headers = Object.fromEntries(names.map((name) => [name === 'x-sdk-date' ? 'X-Sdk-Date' : name, String(request.headers[name])]));
  const url = new URL(request.url, `http://${request.headers.host}`);
  const signed = AKSKSigner.sign(
    {
      method: request.method,
      endpoint: url.href,
      headers,
      queryParams: Object.fromEntries(url.searchParams),
      data: JSON.parse(request.body),
    },
    new BasicCredentials().withAk(ACCESS_KEY).withSk(SECRET_KEY),
  ) as Record<string, string>;
  return signed.Authorization as string;
}

const makesAKey: Check = {
  id: 'CK-TEST-SIGNED',
  level: 'MUST',
  area: 'create-key',
  title: 'makes a key',
  authority: [],
  acceptedCodes: [],
  reference: 'test',
  keys: 1,
  run: async (c) => void (await c.newKey('signed')),
};

describe('the kit with --ak/--sk', () => {
  it('signs every request (and the cleanup) as the SDK core would, sends no token, and skips the token checks', async () => {
    const report = await runConformance({
      baseUrl,
      projectId: PROJECT,
      accessKey: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
      checks: [makesAKey, ...authChecks],
    });
    expect(report.results.find((r) => r.id === 'CK-TEST-SIGNED')).toMatchObject({ outcome: 'passed' });
    for (const check of authChecks) {
      expect(report.results.find((r) => r.id === check.id)).toMatchObject({
        outcome: 'skipped',
        // Without a second project that one is skipped for that first.
        message: expect.stringContaining(
          check.needsOtherProject ? 'needs --other-project-id' : 'about X-Auth-Token itself: needs --token',
        ) as unknown,
      });
    }
    expect(received.map((r) => r.url)).toEqual([`/v1.0/${PROJECT}/kms/create-key`, `/v1.0/${PROJECT}/kms/schedule-key-deletion`]);
    for (const request of received) {
      expect(request.headers['x-auth-token']).toBeUndefined();
      expect(request.headers['x-project-id']).toBe(PROJECT);
      expect(request.headers.authorization).toMatch(
        /^SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-project-id;x-sdk-date, /,
      );
      expect(request.headers.authorization).toBe(officialAuthorization(request));
    }
    expect(JSON.stringify(report)).not.toContain(SECRET_KEY);
  });

  it('with a token as well, runs the token checks with the token and signs the rest', async () => {
    const report = await runConformance({
      baseUrl,
      projectId: PROJECT,
      token: 'tok-1',
      accessKey: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
      checks: [makesAKey, authChecks.find((c) => c.id === 'CK-AUTH-MISSING-TOKEN')!],
    });
    // The stand-in answers 200 to everything, so the token check runs and fails: what matters is what it sent.
    expect(report.results.map((r) => r.outcome)).toEqual(['passed', 'failed']);
    const tokenCheck = received.filter((r) => r.url.endsWith('/create-key')).slice(1);
    expect(tokenCheck.length).toBeGreaterThan(0);
    for (const request of tokenCheck) expect(request.headers.authorization).toBeUndefined();
    expect(received[0]?.headers.authorization).toBe(officialAuthorization(received[0]!));
  });

  it('the command line takes --ak/--sk (or the environment) and refuses half a pair', async () => {
    const errors: string[] = [];
    const code = await main(
      ['node', 'kit', '--base-url', baseUrl, '--project-id', PROJECT, '--ak', ACCESS_KEY],
      () => undefined,
      (t) => {
        errors.push(t);
      },
    );
    expect(code).toBe(2);
    expect(errors.join('')).toBe('error: give --ak and --sk together\n');
    const missing: string[] = [];
    expect(
      await main(
        ['node', 'kit', '--base-url', baseUrl],
        () => undefined,
        (t) => void missing.push(t),
      ),
    ).toBe(2);
    expect(missing.join('')).toBe('error: missing --project-id, --token (or --ak and --sk) (see openkms-conformance --help)\n');
  });
});
