/**
 * SDK-HMAC-SHA256 requests through the whole app, signed by the published Huawei Cloud SDK
 * core (test/sdk-signer.ts), beside X-Auth-Token: accepted as the SDKs sign them, refused as
 * Huawei's API gateway refuses them (401 APIGW.0301, flat body), throttled, logged and audited
 * by access key ID and name, never by secret.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { KmsService, MemoryKeyStore, RootKey } from '@openkms/core';
import type { AccessKeyCredential, AccessKeyResolver } from '../src/auth/access-key-resolver';
import { GatewayAuthError, REASONS, SignatureVerifier } from '../src/auth/signature';
import { sha256Hex, TokenRegistry } from '../src/auth/token-registry';
import type { AuditRecord } from '../src/audit/audit-log';
import { operations } from '../src/generated';
import { loadKmsSpec } from '../src/http/api-spec';
import { createApp } from '../src/http/app';
import type { RateLimits } from '../src/http/rate-limits';
import { mountOperation } from '../src/http/operation-pipeline';
import { beginRequestState, requestState } from '../src/http/request-state';
import { CALLERS, REGION } from './support';
import { sdkDate, signHeaderSet, signWithoutHost, signWithSdkCore, SDK_HOST, type SdkCall, type SignedRequest } from './sdk-signer';

// Generous: each test builds servers (a validator per operation), and this machine is shared.
jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 11, 3, 6, 15, 0);
const MINUTE = 60_000;

const ALICE_KEY: AccessKeyCredential = {
  accessKeyId: 'HPUAALICE0000000001',
  secretKey: 'alice-secret-key-0123456789abcdefghijklmn',
  name: 'alice-ci',
  domainId: CALLERS.alice.domainId,
  projects: [CALLERS.alice.projectId, CALLERS.bob.projectId],
};
const CAROL_KEY: AccessKeyCredential = {
  accessKeyId: 'HPUACAROL0000000001',
  secretKey: 'carol-secret-key-0123456789abcdefghijklmn',
  name: 'carol-ci',
  domainId: CALLERS.carol.domainId,
  projects: [CALLERS.carol.projectId],
};

/** The access key store as the verifier sees it: in memory, revocable. */
class MemoryAccessKeys implements AccessKeyResolver {
  readonly #keys = new Map<string, AccessKeyCredential>();
  lookups = 0;
  constructor(keys: readonly AccessKeyCredential[]) {
    for (const key of keys) this.#keys.set(key.accessKeyId, key);
  }
  async find(accessKeyId: string): Promise<AccessKeyCredential | undefined> {
    this.lookups += 1;
    return this.#keys.get(accessKeyId);
  }
  revoke(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
  }
}

interface Harness {
  readonly app: ReturnType<typeof createApp>;
  readonly keys: MemoryAccessKeys;
  readonly logs: string[];
  readonly audit: AuditRecord[];
  clock: number;
}

async function harness(options: { rateLimits?: RateLimits } = {}): Promise<Harness> {
  const logs: string[] = [];
  const audit: AuditRecord[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const service = await KmsService.open({ store: new MemoryKeyStore(), rootKey: RootKey.generate(), region: REGION });
  const tokens = new TokenRegistry(
    Object.entries(CALLERS).map(([name, caller]) => ({
      name,
      tokenSha256: sha256Hex(caller.token),
      domainId: caller.domainId,
      projects: [caller.projectId],
    })),
  );
  const keys = new MemoryAccessKeys([ALICE_KEY, CAROL_KEY]);
  const state = { clock: T0 } as Harness;
  const app = createApp({
    service,
    tokens,
    accessKeys: keys,
    now: () => state.clock,
    logger: pino({ level: 'trace' }, sink),
    validateResponses: true,
    rateLimits: options.rateLimits,
    audit: {
      record: (entry) => void audit.push(entry),
      failing: false,
      resume: () => undefined,
      reopen: () => undefined,
      close: async () => undefined,
    },
  });
  return Object.assign(state, { app, keys, logs, audit });
}

function send(
  h: Harness,
  signed: SignedRequest,
  change: { body?: string; url?: string; headers?: Record<string, string | undefined> } = {},
) {
  const headers: Record<string, string> = { ...signed.headers };
  for (const [name, value] of Object.entries(change.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const test = request(h.app)
    .post(change.url ?? signed.url)
    .set(headers);
  const body = change.body ?? signed.body;
  return body === undefined ? test : test.send(body);
}

const alice = (call: Partial<SdkCall> = {}): Promise<SignedRequest> =>
  signWithSdkCore({ ak: ALICE_KEY.accessKeyId, sk: ALICE_KEY.secretKey, projectId: CALLERS.alice.projectId, date: sdkDate(T0), ...call });

/** A data key in hex followed by its SHA-256, as encrypt-datakey takes it. */
function withDigest(hex: string): string {
  const dek = Buffer.from(hex, 'hex');
  return Buffer.concat([dek, createHash('sha256').update(dek).digest()]).toString('hex');
}

/** Asserts the gateway's 401: flat body, APIGW.0301, the request's ID, the reason; returns the message. */
function expectGateway401(response: request.Response, reason: string): string {
  const detail = `${response.status} ${JSON.stringify(response.body)}`;
  expect({ status: response.status, detail }).toEqual({ status: 401, detail: expect.any(String) });
  expect(response.body).toEqual({
    error_code: 'APIGW.0301',
    error_msg: `Incorrect IAM authentication information: ${reason}`,
    request_id: response.headers['x-request-id'],
  });
  return response.body.error_msg as string;
}

function expectKms(response: request.Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.error_code }).toEqual({ status, code });
}

describe('requests signed by the Huawei Cloud SDK core', () => {
  it('runs all six operations with an access key, as the SDK signs them (hashed body and UNSIGNED-PAYLOAD)', async () => {
    const h = await harness();
    // The KMS service models send `application/json;charset=UTF-8`, for which the core signs UNSIGNED-PAYLOAD.
    const kmsModels = 'application/json;charset=UTF-8';
    const created = await send(h, await alice({ operation: 'create-key', body: { key_alias: 'sdk/orders' }, contentType: kmsModels }));
    expect(created.status).toBe(200);
    const keyId = created.body.key_info.key_id as string;
    const dataKey = await send(h, await alice({ operation: 'create-datakey', body: { key_id: keyId, datakey_length: '256' } }));
    expect(dataKey.status).toBe(200);
    const decrypted = await send(
      h,
      await alice({
        operation: 'decrypt-datakey',
        body: { key_id: keyId, cipher_text: dataKey.body.cipher_text, datakey_cipher_length: '32' },
      }),
    );
    expect(decrypted.status).toBe(200);
    expect(decrypted.body.data_key).toBe(dataKey.body.plain_text);
    const encrypted = await send(
      h,
      await alice({
        operation: 'encrypt-datakey',
        body: { key_id: keyId, plain_text: withDigest(dataKey.body.plain_text as string), datakey_plain_length: '32' },
        contentType: kmsModels,
      }),
    );
    expect(encrypted.status).toBe(200);
    const described = await send(h, await alice({ operation: 'describe-key', body: { key_id: keyId } }));
    expect(described.status).toBe(200);
    const listed = await send(h, await alice({ operation: 'list-keys', body: {} }));
    expect(listed.status).toBe(200);
    expect(listed.body.keys).toEqual([keyId]);
  });

  it('signs with the header sets other SDKs sign: the verifier follows the SignedHeaders it receives', async () => {
    const h = await harness();
    const path = `/v1.0/${CALLERS.alice.projectId}/kms/list-keys`;
    const base = { ak: ALICE_KEY.accessKeyId, sk: ALICE_KEY.secretKey, path, date: sdkDate(T0), body: { limit: '10' } };
    const sets = {
      // Python and Java cores: every header they send, User-Agent included, and Host.
      python: signHeaderSet({
        ...base,
        signedHeaders: {
          'Content-Type': 'application/json',
          'User-Agent': 'huaweicloud-usdk-python/3.0',
          'X-Project-Id': CALLERS.alice.projectId,
        },
      }),
      // Go core: the headers it sets, and no Host (huaweicloud-sdk-go-v3 core/auth/signer/signer.go, hc_http_client.go).
      go: signWithoutHost({
        ...base,
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'huaweicloud-usdk-go/3.0', 'X-Project-Id': CALLERS.alice.projectId },
      }),
      // A signer that leaves Content-Type out, sending it anyway.
      noContentType: signHeaderSet({
        ...base,
        signedHeaders: { 'User-Agent': 'huaweicloud-usdk-go/3.0', 'X-Project-Id': CALLERS.alice.projectId },
        unsignedHeaders: { 'Content-Type': 'application/json' },
      }),
      // The least the Node.js core's signer signs: host and X-Sdk-Date.
      minimal: signHeaderSet({ ...base, signedHeaders: {}, unsignedHeaders: { 'Content-Type': 'application/json' } }),
    };
    for (const [sdk, signed] of Object.entries(sets)) {
      const response = await send(h, signed);
      expect({ sdk, status: response.status, signedHeaders: /SignedHeaders=([^,]+)/.exec(signed.headers.authorization!)![1] }).toEqual({
        sdk,
        status: 200,
        signedHeaders: expect.any(String),
      });
    }
    expect(/SignedHeaders=([^,]+)/.exec(sets.go.headers.authorization!)![1]).toBe('content-type;user-agent;x-project-id;x-sdk-date');
    expect(/SignedHeaders=([^,]+)/.exec(sets.python.headers.authorization!)![1]).toBe(
      'content-type;host;user-agent;x-project-id;x-sdk-date',
    );
    // The Go-style signature binds what it lists: another User-Agent is refused.
    expectGateway401(await send(h, sets.go, { headers: { 'user-agent': 'huaweicloud-usdk-go/3.1' } }), REASONS.mismatch);
  });

  it('accepts a signature whose X-Auth-Token is empty, and gives a request with no credential the KMS 403 as before', async () => {
    const h = await harness();
    const signed = await alice({ operation: 'list-keys', body: {} });
    expect((await send(h, signed, { headers: { 'x-auth-token': '' } })).status).toBe(200);
    const bare = await request(h.app).post(`/v1.0/${CALLERS.alice.projectId}/kms/list-keys`).send({});
    expectKms(bare, 403, 'KMS.0301');
    // Another Authorization scheme is no credential here: the token rule answers.
    const basic = await request(h.app).post(`/v1.0/${CALLERS.alice.projectId}/kms/list-keys`).set('Authorization', 'Basic eDp5').send({});
    expectKms(basic, 403, 'KMS.0301');
  });
});

describe('tampered and refused signed requests', () => {
  it('refuses a changed body, path, query, signed header or date with "signature mismatch", never revealing the expected signature', async () => {
    let h = await harness();
    const body = { key_alias: 'sdk/tamper' };
    const signed = await alice({ operation: 'create-key', body });
    const tamperedBody = { key_alias: 'sdk/tamperX' };
    // What the signature of the tampered body would be: the answer must not hand it out.
    const forged = await alice({ operation: 'create-key', body: tamperedBody });
    const forgedSignature = /Signature=([0-9a-f]{64})/.exec(forged.headers.authorization!)![1]!;

    const cases: Record<string, (h: Harness) => Promise<request.Response>> = {
      body: async (h) => send(h, signed, { body: JSON.stringify(tamperedBody) }),
      bodyWhitespace: async (h) => send(h, signed, { body: `${signed.body} ` }),
      path: async (h) => send(h, signed, { url: signed.url.replace('create-key', 'list-keys') }),
      query: async (h) => send(h, signed, { url: `${signed.url}?limit=1` }),
      signedHeader: async (h) => send(h, signed, { headers: { 'content-type': 'application/json; charset=utf-8' } }),
      host: async (h) => send(h, signed, { headers: { host: 'kms.elsewhere.example.com' } }),
      date: async (h) => send(h, signed, { headers: { 'x-sdk-date': sdkDate(T0 + 1000) } }),
      wrongSk: async (h) => send(h, await alice({ operation: 'create-key', body, sk: `${ALICE_KEY.secretKey}x` })),
      unsignedPayloadClaimed: async (h) => send(h, signed, { headers: { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' } }),
    };
    for (const [name, tamper] of Object.entries(cases)) {
      // A fresh server for each, so the failures do not add up to a lock.
      h = await harness();
      const message = expectGateway401(await tamper(h), REASONS.mismatch);
      expect({ name, leaks: [forgedSignature, ALICE_KEY.secretKey].filter((secret) => message.includes(secret)) }).toEqual({
        name,
        leaks: [],
      });
      // Nothing was created, and the untampered request still passes.
      expect((await send(h, await alice({ operation: 'list-keys', body: {} }))).body.keys).toEqual([]);
      expect({ name, status: (await send(h, signed)).status }).toEqual({ name, status: 200 });
    }
  });

  it('refuses a body that does not match X-Sdk-Content-Sha256, and a changed body under UNSIGNED-PAYLOAD is accepted (documented)', async () => {
    const h = await harness();
    const signed = await alice({ operation: 'list-keys', body: {}, headers: { 'X-Sdk-Content-Sha256': sha256Hex('{"limit":"1"}') } });
    expect((await send(h, signed, { body: '{"limit":"1"}' })).status).toBe(200);
    expectGateway401(await send(h, signed, { body: '{"limit":"2"}' }), REASONS.contentSha256);
    const unsigned = await alice({ operation: 'list-keys', body: {}, contentType: 'application/json;charset=UTF-8' });
    expect(unsigned.headers['x-sdk-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect((await send(h, unsigned, { body: '{"limit":"5"}' })).status).toBe(200);
  });

  it('refuses an unknown and a revoked access key as "ak not exist"', async () => {
    const h = await harness();
    const unknown = await signWithSdkCore({
      ak: 'HPUANOBODY000000000',
      sk: 'x',
      projectId: CALLERS.alice.projectId,
      date: sdkDate(T0),
      body: {},
    });
    expectGateway401(await send(h, unknown), REASONS.unknownKey);
    const signed = await alice({ body: {} });
    expect((await send(h, signed)).status).toBe(200);
    h.keys.revoke(ALICE_KEY.accessKeyId);
    expectGateway401(await send(h, signed), REASONS.unknownKey);
  });

  it('accepts X-Sdk-Date up to 15 minutes either side of the server clock, and refuses it beyond as expired', async () => {
    const h = await harness();
    const signed = await alice({ body: {} });
    for (const [offset, accepted] of [
      [15 * MINUTE, true],
      [-15 * MINUTE, true],
      [15 * MINUTE + 1000, false],
      [-15 * MINUTE - 1000, false],
    ] as const) {
      h.clock = T0 + offset;
      const response = await send(h, signed);
      if (accepted) expect({ offset, status: response.status }).toEqual({ offset, status: 200 });
      else expectGateway401(response, REASONS.expired);
    }
  });

  it('refuses missing or malformed parts by name: Authorization, X-Sdk-Date, a signed header', async () => {
    const h = await harness();
    const signed = await alice({ body: {}, headers: { 'X-Trace': 'abc' } });
    expectGateway401(await send(h, signed, { headers: { 'x-trace': undefined } }), REASONS.missingSignedHeader('x-trace'));
    expectGateway401(await send(h, signed, { headers: { 'x-sdk-date': undefined } }), REASONS.missingDate);
    expectGateway401(await send(h, signed, { headers: { 'x-sdk-date': '2026-12-03T06:15:00Z' } }), REASONS.badDate);
    expectGateway401(await send(h, signed, { headers: { 'x-sdk-date': '20261332T061500Z' } }), REASONS.badDate);
    for (const malformed of [
      'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date',
      'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc',
      `SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      `SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;X-Sdk-Date, Signature=${'0'.repeat(64)}`,
      `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;host, Signature=${'0'.repeat(64)}`,
    ]) {
      expectGateway401(await send(h, signed, { headers: { authorization: malformed } }), REASONS.malformed);
    }
  });

  it('refuses temporary credentials (X-Security-Token) clearly', async () => {
    const h = await harness();
    const signed = await alice({ body: {}, securityToken: 'temporary-security-token' });
    expect(signed.headers['x-security-token']).toBe('temporary-security-token');
    expectGateway401(await send(h, signed), REASONS.securityToken);
  });

  it('refuses a request carrying both X-Auth-Token and a signature, whichever is valid', async () => {
    const h = await harness();
    const signed = await alice({ body: {} });
    expectGateway401(await send(h, signed, { headers: { 'x-auth-token': CALLERS.alice.token } }), REASONS.both);
  });

  it('answers 403 KMS.0305 for an X-Project-Id other than the path project, and for a project the access key is not granted', async () => {
    const h = await harness();
    // Credentials for project-a, path naming project-b (granted): X-Project-Id disagrees with the path.
    const mismatched = await alice({ url: `/v1.0/${CALLERS.bob.projectId}/kms/list-keys`, body: {} });
    expect(mismatched.headers['x-project-id']).toBe(CALLERS.alice.projectId);
    expectKms(await send(h, mismatched), 403, 'KMS.0305');
    // The same, with X-Project-Id naming project-b: allowed.
    const granted = await signWithSdkCore({
      ak: ALICE_KEY.accessKeyId,
      sk: ALICE_KEY.secretKey,
      projectId: CALLERS.bob.projectId,
      date: sdkDate(T0),
      body: {},
    });
    expect((await send(h, granted)).status).toBe(200);
    const notGranted = await signWithSdkCore({
      ak: CAROL_KEY.accessKeyId,
      sk: CAROL_KEY.secretKey,
      projectId: CALLERS.alice.projectId,
      date: sdkDate(T0),
      body: {},
    });
    const refused = await send(h, notGranted);
    expectKms(refused, 403, 'KMS.0305');
    expect(refused.body.error.error_msg).toBe('The access key may not be used on this project.');
  });

  it('checks the credential before reading the body: an unknown key with an oversized body is a 401, not a 413', async () => {
    const h = await harness();
    const unknown = await signWithSdkCore({
      ak: 'HPUANOBODY000000000',
      sk: 'x',
      projectId: CALLERS.alice.projectId,
      date: sdkDate(T0),
      body: {},
    });
    expectGateway401(await send(h, unknown, { body: JSON.stringify({ key_alias: 'x'.repeat(100_000) }) }), REASONS.unknownKey);
    // A known key's signature over a malformed body: the signature is judged first (401), then the JSON (400).
    const signed = await alice({ body: {} });
    expectGateway401(await send(h, signed, { body: '{"limit": ' }), REASONS.mismatch);
  });
});

describe('the credential check before the body (for Expect: 100-continue)', () => {
  /** A request as it arrives, routed (state begun, path parameters set), with no body read. */
  function arriving(signed: SignedRequest, extra: Record<string, string> = {}): IncomingMessage {
    const req = { method: signed.method, url: signed.url, headers: { ...signed.headers, ...extra } } as unknown as IncomingMessage;
    const state = beginRequestState(req, 'req-1');
    state.pathParams = { project_id: /^\/v1\.0\/([^/]+)/.exec(signed.url)![1]! };
    return req;
  }

  it('resolves for a signature whose headers pass, rejects with the answer otherwise, and is not repeated by run()', async () => {
    const keys = new MemoryAccessKeys([ALICE_KEY]);
    const tokens = new TokenRegistry([
      { name: 'alice', tokenSha256: sha256Hex(CALLERS.alice.token), domainId: CALLERS.alice.domainId, projects: [CALLERS.alice.projectId] },
    ]);
    const operation = operations.find((op) => op.operationId === 'listKeys')!;
    const mounted = mountOperation(operation, async () => ({}), {
      document: loadKmsSpec(),
      tokens,
      signatures: new SignatureVerifier({ accessKeys: keys, now: () => T0 }),
      log: pino({ level: 'silent' }),
      rateLimits: {},
      validateResponses: false,
    });
    const signed = await alice({ body: {} });
    const req = arriving(signed);
    await expect(mounted.checkBeforeBody(req)).resolves.toBeUndefined();
    expect(requestState(req).principal).toMatchObject({
      credential: 'access-key',
      accessKeyId: ALICE_KEY.accessKeyId,
      credentialName: 'alice-ci',
    });
    expect(requestState(req).pendingSignature).toBeDefined();
    // Done once: a second call (run() does the same) does not look the key up again.
    const lookups = keys.lookups;
    await mounted.checkBeforeBody(req);
    expect(keys.lookups).toBe(lookups);

    await expect(mounted.checkBeforeBody(arriving(signed, { 'x-sdk-date': sdkDate(T0 - 20 * MINUTE) }))).rejects.toEqual(
      new GatewayAuthError(REASONS.expired),
    );
    await expect(mounted.checkBeforeBody(arriving({ ...signed, headers: { 'content-type': 'application/json' } }))).rejects.toMatchObject({
      code: 'KMS.0301',
    });
    const token = arriving({ ...signed, headers: { 'x-auth-token': CALLERS.alice.token } });
    await expect(mounted.checkBeforeBody(token)).resolves.toBeUndefined();
    expect(requestState(token).principal).toMatchObject({ credential: 'token', credentialName: 'alice' });
  });
});

describe('throttling an access key after consecutive failures', () => {
  it('locks an access key for 5 minutes after 5 consecutive failures, even for a correct signature; a success resets the count', async () => {
    const h = await harness();
    const good = await alice({ body: {} });
    const bad = await alice({ body: {}, sk: 'wrong-secret' });
    for (let i = 0; i < 4; i++) expectGateway401(await send(h, bad), REASONS.mismatch);
    expect((await send(h, good)).status).toBe(200);
    for (let i = 0; i < 5; i++) expectGateway401(await send(h, bad), REASONS.mismatch);
    expectGateway401(await send(h, good), REASONS.locked);
    // Another access key is not affected.
    const carol = await signWithSdkCore({
      ak: CAROL_KEY.accessKeyId,
      sk: CAROL_KEY.secretKey,
      projectId: CALLERS.carol.projectId,
      date: sdkDate(T0),
      body: {},
    });
    expect((await send(h, carol)).status).toBe(200);
    h.clock = T0 + 5 * MINUTE - 1000;
    expectGateway401(await send(h, good), REASONS.locked);
    h.clock = T0 + 5 * MINUTE;
    expect((await send(h, good)).status).toBe(200);
  });

  it('counts expired dates as failures too', async () => {
    const h = await harness();
    const stale = await alice({ body: {}, date: sdkDate(T0 - 20 * MINUTE) });
    for (let i = 0; i < 5; i++) expectGateway401(await send(h, stale), REASONS.expired);
    expectGateway401(await send(h, await alice({ body: {} })), REASONS.locked);
  });
});

describe('rate limits', () => {
  it("count a signed request against its access key's domain, as a token's request counts against the token's", async () => {
    const h = await harness({ rateLimits: { listKeys: { limit: 2, windowMs: 60_000 } } });
    const signed = await alice({ body: {} });
    expect((await send(h, signed)).status).toBe(200);
    // Alice's token shares the domain (and so the limit) with her access key.
    const token = await request(h.app)
      .post(`/v1.0/${CALLERS.alice.projectId}/kms/list-keys`)
      .set('X-Auth-Token', CALLERS.alice.token)
      .send({});
    expect(token.status).toBe(200);
    expectKms(await send(h, signed), 429, 'KMS.0429');
    // Carol's access key is in another domain.
    const carol = await signWithSdkCore({
      ak: CAROL_KEY.accessKeyId,
      sk: CAROL_KEY.secretKey,
      projectId: CALLERS.carol.projectId,
      date: sdkDate(T0),
      body: {},
    });
    expect((await send(h, carol)).status).toBe(200);
  });
});

describe('logs and audit name the access key, never its secrets', () => {
  it('records the access key ID and name, and never the SK, the signature, the canonical request or the string to sign', async () => {
    const h = await harness();
    const signed = await alice({ operation: 'create-key', body: { key_alias: 'sdk/logged' } });
    const signature = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization!)![1]!;
    const ok = await send(h, signed);
    expect(ok.status).toBe(200);
    const refused = await send(h, await alice({ operation: 'create-key', body: { key_alias: 'sdk/x' }, sk: 'wrong' }));
    expect(refused.status).toBe(401);
    const unknown = await send(
      h,
      await signWithSdkCore({ ak: 'HPUANOBODY000000000', sk: 'x', projectId: CALLERS.alice.projectId, date: sdkDate(T0), body: {} }),
    );
    expect(unknown.status).toBe(401);

    const okRecord = h.audit.find((record) => record.request_id === ok.headers['x-request-id']);
    expect(okRecord).toMatchObject({
      operation: 'createKey',
      domain_id: ALICE_KEY.domainId,
      access_key_id: ALICE_KEY.accessKeyId,
      access_key_name: ALICE_KEY.name,
      outcome: 'success',
    });
    expect(okRecord).not.toHaveProperty('token_name');
    // A failed signature names the key it claimed, but no proven identity.
    const refusedRecord = h.audit.find((record) => record.request_id === refused.headers['x-request-id']);
    expect(refusedRecord).toMatchObject({
      access_key_id: ALICE_KEY.accessKeyId,
      outcome: 'failure',
      status: 401,
      error_code: 'APIGW.0301',
    });
    expect(refusedRecord).not.toHaveProperty('domain_id');
    expect(refusedRecord).not.toHaveProperty('access_key_name');
    expect(h.audit.find((record) => record.request_id === unknown.headers['x-request-id'])).toMatchObject({
      access_key_id: 'HPUANOBODY000000000',
      error_code: 'APIGW.0301',
    });

    const okLine = h.logs
      .map((line) => JSON.parse(line))
      .find((line) => line.req?.id === ok.headers['x-request-id'] && line.msg === 'request completed');
    expect(okLine).toMatchObject({ access_key_id: ALICE_KEY.accessKeyId, access_key_name: ALICE_KEY.name });
    const everything = h.logs.join('\n') + JSON.stringify(h.audit);
    for (const secret of [ALICE_KEY.secretKey, signature, 'SDK-HMAC-SHA256', SDK_HOST]) expect(everything).not.toContain(secret);
  });

  it('keeps naming a token caller by token_name', async () => {
    const h = await harness();
    const response = await request(h.app)
      .post(`/v1.0/${CALLERS.alice.projectId}/kms/list-keys`)
      .set('X-Auth-Token', CALLERS.alice.token)
      .send({});
    expect(response.status).toBe(200);
    expect(h.audit.at(-1)).toMatchObject({ token_name: 'alice', domain_id: CALLERS.alice.domainId });
    expect(h.audit.at(-1)).not.toHaveProperty('access_key_id');
  });
});
