/**
 * createKmsClient with an access key: what it puts on the wire (read back by a local HTTP server)
 * verifies under the official SDK core's signer, every try is signed afresh, no token is sent,
 * and the SK shows up in no error.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { createKmsClient, KmsError } from '../src';

const ACCESS_KEY = 'HPUAXJ4ZQ2MCM4UBRV8N';
const SECRET_KEY = 'w9Jq3mK7sN2pX5vB8cF1dG4hL6zT0yR3uE5iO7aS';
const PROJECT = '0b5ac1a0ee8c4ea8ac5b5e9c8b0f4a21';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Answers each request with the next scripted answer and records it as received. */
function recordingServer(answers: Array<{ status: number; body: unknown }>) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.shift() ?? { status: 500, body: { error: { error_code: 'KMS.0101', error_msg: 'script ran out' } } };
      res.writeHead(answer.status, { 'Content-Type': 'application/json', 'X-Request-Id': `rid-${received.length}` });
      res.end(JSON.stringify(answer.body));
    });
  });
  return {
    received,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Authorization the official signer computes for a request as the server received it, over the headers it says it signed. */
function officialAuthorizationOf(request: Received): string {
  const signedNames = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedNames) headers[name === 'x-sdk-date' ? 'X-Sdk-Date' : name] = String(request.headers[name]);
  const credentials = new BasicCredentials().withAk(ACCESS_KEY).withSk(SECRET_KEY);
  const url = new URL(request.url, `http://${request.headers.host}`);
  const signed = AKSKSigner.sign(
    {
      method: request.method,
      endpoint: url.href,
      headers,
      queryParams: Object.fromEntries(url.searchParams),
      // The SDK hashes JSON.stringify(data); our body is JSON.stringify of the request, byte for byte.
      data: request.body === '' ? undefined : JSON.parse(request.body),
    },
    credentials,
  ) as Record<string, string>;
  return signed.Authorization as string;
}

const KEY = { key_info: { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', domain_id: 'b168fe00ff56492495a7d22974df2d0b' } };

describe('createKmsClient with an access key', () => {
  it('signs each request as the official SDK signs it, with the SDK header set and no token', async () => {
    const server = recordingServer([{ status: 200, body: KEY }]);
    const endpoint = await server.listen();
    try {
      const kms = createKmsClient({ endpoint, projectId: PROJECT, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
      await expect(kms.createKey({ key_alias: 'ünïcødé/αλιας', key_description: 'a "quoted" one' })).resolves.toEqual(KEY);
      const [request] = server.received as [Received];
      expect(request.url).toBe(`/v1.0/${PROJECT}/kms/create-key`);
      expect(request.headers['x-auth-token']).toBeUndefined();
      expect(request.headers['x-project-id']).toBe(PROJECT);
      expect(request.headers['x-sdk-date']).toMatch(/^\d{8}T\d{6}Z$/);
      // The Node.js SDK core 3.1.211 signs exactly these for a KMS call (kms-facts §6).
      expect(request.headers.authorization).toMatch(
        new RegExp(
          `^SDK-HMAC-SHA256 Access=${ACCESS_KEY}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`,
        ),
      );
      expect(request.headers.authorization).toBe(officialAuthorizationOf(request));
    } finally {
      await server.close();
    }
  });

  it('signs every try afresh, with the time of that try', async () => {
    const server = recordingServer([
      { status: 503, body: { error: { error_code: 'KMS.0101', error_msg: 'busy' } } },
      { status: 200, body: KEY },
    ]);
    const endpoint = await server.listen();
    let clock = Date.parse('2026-12-03T06:00:00Z');
    try {
      const kms = createKmsClient(
        { endpoint, projectId: PROJECT, accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
        { random: () => 0, sleep: async (ms) => void (clock += ms + 61_000), now: () => clock },
      );
      await kms.createKey({ key_alias: 'retried' });
      const [first, second] = server.received as [Received, Received];
      expect(first.headers['x-sdk-date']).toBe('20261203T060000Z');
      expect(second.headers['x-sdk-date']).not.toBe(first.headers['x-sdk-date']);
      for (const request of server.received) expect(request.headers.authorization).toBe(officialAuthorizationOf(request));
    } finally {
      await server.close();
    }
  });

  it("reads the gateway's flat APIGW.0301 body into a KmsError that carries no secret", async () => {
    const reason = 'Incorrect IAM authentication information: verify aksk signature fail';
    const server = recordingServer([{ status: 401, body: { error_code: 'APIGW.0301', error_msg: reason, request_id: 'r1' } }]);
    const endpoint = await server.listen();
    try {
      const kms = createKmsClient({ endpoint, projectId: PROJECT, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, retry: false });
      const error = await kms.createKey({ key_alias: 'refused' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KmsError);
      expect(error).toMatchObject({ status: 401, errorCode: 'APIGW.0301', errorMsg: reason, requestId: 'rid-1' });
      expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain(SECRET_KEY);
      expect(inspect(kms, { showHidden: true, depth: 10 })).not.toContain(SECRET_KEY);
    } finally {
      await server.close();
    }
  });

  it('takes a token or an access key pair, not both and not half a pair, and never prints the secret', () => {
    const base = { endpoint: 'http://kms.test', projectId: PROJECT };
    const attempts = [
      () => createKmsClient({ ...base, token: 't', accessKey: ACCESS_KEY, secretKey: SECRET_KEY } as never),
      () => createKmsClient({ ...base, secretKey: SECRET_KEY } as never),
      () => createKmsClient({ ...base, accessKey: ACCESS_KEY } as never),
      () => createKmsClient({ ...base, accessKey: '', secretKey: SECRET_KEY }),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(TypeError);
      try {
        attempt();
      } catch (error) {
        expect(String((error as Error).stack)).not.toContain(SECRET_KEY);
      }
    }
  });
});
