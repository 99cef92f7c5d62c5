/**
 * The published Huawei Cloud SDK core (`@huaweicloud/huaweicloud-sdk-core` 3.1.211) against the
 * reference server, with an access key, exactly as an application using Huawei's SDK runs it:
 * the core's own credentials (BasicCredentials: AK, SK, project ID), its signer (AKSKSigner) and
 * its HTTP client (HcClient over axios, built by ClientBuilder). The KMS service client is not
 * published on npm, so `kmsCall` below builds each request the way its generated code does
 * (huaweicloud-sdk-nodejs-v3 `services/kms/v2/KmsClient.ts`: method, URL template with
 * `{project_id}`, JSON content type, body) and hands it to HcClient.sendRequest.
 *
 * Then requests the SDK signed are tampered with after signing (body, path, query, a signed
 * header, the date), or signed with a wrong SK, an unknown AK or a revoked AK: each must be refused with 401
 * APIGW.0301 and change nothing. And what the SDK core's error parsing makes of our error bodies
 * is pinned (the README says it to SDK users).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import type { SdkResponse } from '@huaweicloud/huaweicloud-sdk-core/SdkResponse';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { ClientRequestException } from '@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
import { runOpenkms, startTestServer } from '@openkms/server/testing';

jest.setTimeout(120_000);

// The SDK core logs every failed request (its signed headers included) to stdout; the tampered
// requests below fail on purpose.
Logger4jInstance.level = 'off';

/**
 * One tenant (and so one access key) per case that fails authentication on purpose: the server
 * locks an access key after 5 consecutive failures (as Huawei's gateway does), and one locked key
 * must not turn the next case's refusal into a lockout.
 */
const TENANTS = 14;
// SQLite, so that `openkms-server access-key revoke` (another process) can reach the same store.
const startServer = () => startTestServer({ store: 'sqlite', tenants: Array.from({ length: TENANTS }, () => ({})) });
let server: Awaited<ReturnType<typeof startServer>>;

/** An HcClient as KmsClient.newBuilder().withCredential(...).withEndpoint(...).build() makes one. */
function sdkClient(endpoint: string, ak: string, sk: string, projectId: string): HcClient {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
  return new ClientBuilder<HcClient>((hcClient) => hcClient).withCredential(credentials).withEndpoint(endpoint).build();
}

type Body = Record<string, unknown>;
type Answer = Record<string, unknown> & { httpStatusCode?: number };
/** Per-request axios settings the core applies after signing (its own extension point): how the tests tamper. */
interface AfterSigning {
  readonly headers?: Record<string, string>;
  readonly axiosRequestConfig?: Record<string, unknown>;
}

/** One KMS v1.0 operation, built as the SDK's generated KmsClient builds it (POST, `{project_id}` template, JSON). */
function kmsCall(client: HcClient, action: string, body: Body, extra: AfterSigning = {}): Promise<Answer> {
  const options = {
    method: 'POST',
    url: `/v1.0/{project_id}/kms/${action}`,
    contentType: 'application/json;charset=UTF-8',
    queryParams: {},
    pathParams: {},
    headers: { 'Content-Type': 'application/json;charset=UTF-8', ...extra.headers },
    data: body,
    responseHeaders: [''],
    ...(extra.axiosRequestConfig ? { axiosRequestConfig: extra.axiosRequestConfig } : {}),
  };
  // The generated client also sets options.responseHeaders and, when given, axiosRequestConfig, which the core reads.
  const request: HttpRequestOptions = options;
  return client.sendRequest<SdkResponse & Answer>(request);
}

/** What the SDK core throws for a non-2xx answer, or a failure of the test when the call succeeded. */
async function sdkError(call: Promise<unknown>): Promise<ClientRequestException> {
  const outcome = await call.then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected the call to be refused, got ${JSON.stringify(outcome.answer)}`);
  return outcome.error as ClientRequestException;
}

/** `YYYYMMDDTHHMMSSZ`, the form of X-Sdk-Date. */
const sdkDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
const alias = (label: string) => `sdk/${label}/${randomUUID()}`;

/** A tenant's project, access key and the SDK calling as it. */
interface Caller {
  readonly projectId: string;
  readonly domainId: string;
  readonly ak: string;
  readonly sk: string;
  kms(action: string, body: Body, extra?: AfterSigning): Promise<Answer>;
}

function callerFor(index: number): Caller {
  const tenant = server.tenants[index];
  if (!tenant) throw new Error(`the test server has no tenant ${index}`);
  const { accessKeyId, secretKey } = tenant;
  const client = sdkClient(server.url, accessKeyId, secretKey, tenant.projectId);
  return {
    projectId: tenant.projectId,
    domainId: tenant.domainId,
    ak: accessKeyId,
    sk: secretKey,
    kms: (action, body, extra) => kmsCall(client, action, body, extra),
  };
}

/** Tenant 0, which only makes requests that pass authentication. */
let owner: Caller;
let kms: Caller['kms'];

beforeAll(async () => {
  server = await startServer();
  owner = callerFor(0);
  kms = owner.kms;
});
afterAll(async () => {
  await server?.stop();
});

describe('the SDK core runs all six operations with an access key', () => {
  it('create-key, create-datakey, decrypt-datakey, encrypt-datakey, describe-key and list-keys', async () => {
    const name = alias('six');
    const created = await kms('create-key', { key_alias: name, key_description: 'made by the Huawei Cloud SDK core' });
    expect(created.httpStatusCode).toBe(200);
    const keyInfo = created.key_info as { key_id: string; domain_id: string };
    expect(keyInfo.domain_id).toBe(owner.domainId);
    const keyId = keyInfo.key_id;

    const dataKey = await kms('create-datakey', { key_id: keyId, datakey_length: '512' });
    expect(dataKey).toMatchObject({ key_id: keyId, httpStatusCode: 200 });
    expect(dataKey.plain_text).toMatch(/^[0-9A-F]{128}$/);

    const opened = await kms('decrypt-datakey', { key_id: keyId, cipher_text: dataKey.cipher_text, datakey_cipher_length: '64' });
    expect(opened.data_key).toBe(dataKey.plain_text);

    const dek = randomBytes(32);
    const plainText = Buffer.concat([dek, createHash('sha256').update(dek).digest()])
      .toString('hex')
      .toUpperCase();
    const sealed = await kms('encrypt-datakey', { key_id: keyId, plain_text: plainText, datakey_plain_length: '32' });
    expect(sealed).toMatchObject({ key_id: keyId, httpStatusCode: 200 });
    const reopened = await kms('decrypt-datakey', {
      key_id: `alias/${name}`,
      cipher_text: sealed.cipher_text,
      datakey_cipher_length: '32',
    });
    expect(reopened.data_key).toBe(dek.toString('hex').toUpperCase());

    const described = await kms('describe-key', { key_id: keyId });
    expect(described.key_info).toMatchObject({ key_id: keyId, key_alias: name, domain_id: owner.domainId });

    const listed = await kms('list-keys', { limit: '1000' });
    expect(listed.keys).toContain(keyId);
  });
});

describe("the current API revision's fields, as the SDK's typed models send them", () => {
  it('key_spec and key_usage on create-key, key_spec and additional_authenticated_data on the data key calls, list-keys filters', async () => {
    const name = alias('revision');
    const created = await kms('create-key', { key_alias: name, key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT' });
    const keyId = (created.key_info as { key_id: string }).key_id;
    const described = await kms('describe-key', { key_id: keyId });
    expect(described.key_info).toMatchObject({ key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT' });

    const aad = 'orders/2026-12';
    const dataKey = await kms('create-datakey', { key_id: keyId, key_spec: 'AES_128', additional_authenticated_data: aad });
    expect(dataKey.plain_text).toMatch(/^[0-9A-F]{32}$/);
    const opened = await kms('decrypt-datakey', {
      key_id: keyId,
      cipher_text: dataKey.cipher_text,
      datakey_cipher_length: '16',
      additional_authenticated_data: aad,
    });
    expect(opened.data_key).toBe(dataKey.plain_text);
    const wrongAad = await sdkError(
      kms('decrypt-datakey', {
        key_id: keyId,
        cipher_text: dataKey.cipher_text,
        datakey_cipher_length: '16',
        additional_authenticated_data: 'orders/2026-11',
      }),
    );
    expect(wrongAad.httpStatusCode).toBe(400);

    const dek = randomBytes(16);
    const plainText = Buffer.concat([dek, createHash('sha256').update(dek).digest()])
      .toString('hex')
      .toUpperCase();
    const sealed = await kms('encrypt-datakey', {
      key_id: keyId,
      plain_text: plainText,
      datakey_plain_length: '16',
      additional_authenticated_data: aad,
    });
    const reopened = await kms('decrypt-datakey', {
      key_id: keyId,
      cipher_text: sealed.cipher_text,
      datakey_cipher_length: '16',
      additional_authenticated_data: aad,
    });
    expect(reopened.data_key).toBe(dek.toString('hex').toUpperCase());

    expect((await kms('list-keys', { limit: '1000', key_spec: 'AES_256' })).keys).toContain(keyId);
    expect((await kms('list-keys', { limit: '1000', enterprise_project_id: '0' })).keys).toContain(keyId);
  });
});

describe('an access key made with `openkms-server access-key create`', () => {
  it('works with the SDK core within seconds, without a restart', async () => {
    const tenant = callerFor(0);
    const create = runOpenkms(
      [
        ...['access-key', 'create', '--name', 'sdk-core-test', '--project', tenant.projectId, '--domain-id', tenant.domainId],
        ...['--output', 'json', '--data-dir', server.dataDir],
      ],
      { env: { OPENKMS_ROOT_KEY: server.rootKeyHex } },
    );
    expect((await create.exited).code).toBe(0);
    const made = JSON.parse(create.stdout()) as { access_key_id: string; secret_key: string };
    const client = sdkClient(server.url, made.access_key_id, made.secret_key, tenant.projectId);
    // A key the server looked up and missed may be cached as missing for a moment; ask until it is
    // found, with a generous limit. Nothing has asked for this one yet, so the first try should do.
    const deadline = Date.now() + 60_000;
    let answer: Answer | undefined;
    while (!answer && Date.now() < deadline) {
      answer = await kmsCall(client, 'create-key', { key_alias: alias('made') }).catch(() => undefined);
      if (!answer) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(answer).toMatchObject({ httpStatusCode: 200, key_info: { domain_id: tenant.domainId } });
  });
});

describe('requests tampered with after the SDK signed them, or signed with the wrong key, are refused with 401 APIGW.0301', () => {
  const refusals: Array<[string, (c: Caller) => Promise<Answer>]> = [
    // The body the server receives is not the one signed (axios serialises after signing).
    [
      'the body',
      (c) =>
        c.kms(
          'create-key',
          { key_alias: alias('t') },
          { axiosRequestConfig: { transformRequest: [(data: Body) => JSON.stringify({ ...data, key_description: 'added' })] } },
        ),
    ],
    [
      'the path',
      (c) => c.kms('create-key', { key_alias: alias('t') }, { axiosRequestConfig: { url: `/v1.0/${c.projectId}/kms/list-keys` } }),
    ],
    ['the query', (c) => c.kms('create-key', { key_alias: alias('t') }, { axiosRequestConfig: { params: { limit: '1' } } })],
    [
      'a signed header (content-type)',
      (c) =>
        c.kms(
          'create-key',
          { key_alias: alias('t') },
          {
            axiosRequestConfig: {
              transformRequest: [
                (data: Body, headers: Record<string, string>) => {
                  headers['content-type'] = 'application/json; charset=utf-8';
                  return JSON.stringify(data);
                },
              ],
            },
          },
        ),
    ],
    [
      'the date, changed after signing',
      (c) =>
        c.kms(
          'create-key',
          { key_alias: alias('t') },
          {
            axiosRequestConfig: {
              transformRequest: [
                (data: Body, headers: Record<string, string>) => {
                  headers['X-Sdk-Date'] = sdkDate(Date.now() - 60_000);
                  return JSON.stringify(data);
                },
              ],
            },
          },
        ),
    ],
    // Signed correctly, but 20 minutes ago: outside the 15-minute window, so a captured request cannot be replayed.
    [
      'a date 20 minutes old, signed as such',
      (c) => c.kms('create-key', { key_alias: alias('t') }, { headers: { 'X-Sdk-Date': sdkDate(Date.now() - 20 * 60_000) } }),
    ],
    ['a wrong SK', (c) => kmsCall(sdkClient(server.url, c.ak, `${c.sk}x`, c.projectId), 'create-key', { key_alias: alias('t') })],
    [
      'an unknown AK',
      (c) =>
        kmsCall(sdkClient(server.url, `UNKNOWN${randomBytes(8).toString('hex').toUpperCase()}`, c.sk, c.projectId), 'create-key', {
          key_alias: alias('t'),
        }),
    ],
  ];

  // Tenants 1 to 8, one per case.
  it.each(refusals.map(([what, call], index) => [what, call, index + 1] as const))('%s', async (_what, call, tenant) => {
    const caller = callerFor(tenant);
    const error = await sdkError(call(caller));
    expect(error).toBeInstanceOf(ClientRequestException);
    // The gateway's flat body {"error_code","error_msg","request_id"}: the SDK core reads its top-level error_code.
    expect(error).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
    expect(error.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expect(error.errorMsg).not.toContain(caller.sk);
  });

  it("the first tenant's key on the second tenant's project is refused with a 403 and makes no key", async () => {
    // The signature is valid; the key is not granted that project: 403 KMS.0305, as for a token
    // (README, Authentication). The SDK core sees the status, and no code in the KMS body.
    const name = alias('foreign');
    const [first, second] = [callerFor(10), callerFor(11)];
    const foreign = sdkClient(server.url, first.ak, first.sk, second.projectId);
    const error = await sdkError(kmsCall(foreign, 'create-key', { key_alias: name }));
    expect(error).toMatchObject({ httpStatusCode: 403, errorCode: undefined });
    await expect(second.kms('create-key', { key_alias: name })).resolves.toMatchObject({ httpStatusCode: 200 });
  });

  it('an access key revoked with `openkms-server access-key revoke` is refused within seconds, without a restart', async () => {
    const caller = callerFor(9);
    await expect(caller.kms('list-keys', {})).resolves.toMatchObject({ httpStatusCode: 200 });
    const revoke = runOpenkms(['access-key', 'revoke', caller.ak, '--data-dir', server.dataDir], {
      env: { OPENKMS_ROOT_KEY: server.rootKeyHex },
    });
    expect((await revoke.exited).code).toBe(0);
    // The server caches a resolved key briefly (seconds); ask until it refuses, with a generous limit.
    const deadline = Date.now() + 60_000;
    let error: ClientRequestException | undefined;
    while (!error && Date.now() < deadline) {
      error = await caller.kms('list-keys', {}).then(
        () => undefined,
        (e: unknown) => e as ClientRequestException,
      );
      if (!error) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(error).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
  });

  it('a refused create-key made no key: the same alias is still free afterwards', async () => {
    const name = alias('free');
    const caller = callerFor(12);
    await sdkError(kmsCall(sdkClient(server.url, caller.ak, `${caller.sk}x`, caller.projectId), 'create-key', { key_alias: name }));
    await sdkError(caller.kms('create-key', { key_alias: name }, { axiosRequestConfig: { params: { x: '1' } } }));
    await expect(caller.kms('create-key', { key_alias: name })).resolves.toMatchObject({ httpStatusCode: 200 });
  });
});

describe("what the SDK core's error parsing gets from our error bodies", () => {
  it('a KMS error ({"error":{"error_code","error_msg"}}): the status and request ID, but no code and no message', async () => {
    // The core reads only error.code / error.message or a top-level error_code / error_msg
    // (exception/ExceptionUtil.js), so the documented KMS body gives it neither: an SDK user sees
    // the status, axios's message and X-Request-Id. The README says so.
    const error = await sdkError(kms('create-datakey', { key_id: 'alias/none', datakey_length: '12' }));
    expect(error).toBeInstanceOf(ClientRequestException);
    expect(error.httpStatusCode).toBe(400);
    expect(error.errorCode).toBeUndefined();
    expect(error.errorMsg).toBe('Request failed with status code 400');
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a refused signature (401 flat body): status, APIGW.0301, the reason and the request ID', async () => {
    const caller = callerFor(13);
    const error = await sdkError(kmsCall(sdkClient(server.url, caller.ak, `${caller.sk}x`, caller.projectId), 'list-keys', {}));
    expect(error).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
    expect(error.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
