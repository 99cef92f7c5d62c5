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
 * header, the date), or signed with a wrong SK or an unknown AK: each must be refused with 401
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
import { startTestServer } from '@openkms/server/testing';
import { accessKeyOf } from '../support/access-key';

jest.setTimeout(120_000);

// The SDK core logs every failed request (its signed headers included) to stdout; the tampered
// requests below fail on purpose.
Logger4jInstance.level = 'off';

/** Two tenants: the second one's project is used where a request is moved to another project. */
const startServer = () => startTestServer({ tenants: [{}, {}] });
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

let kms: (action: string, body: Body, extra?: AfterSigning) => Promise<Answer>;
let ak: string;
let sk: string;

beforeAll(async () => {
  server = await startServer();
  const key = accessKeyOf(server.tenants[0]);
  ak = key.accessKeyId;
  sk = key.secretKey;
  const client = sdkClient(server.url, ak, sk, server.tenants[0].projectId);
  kms = (action, body, extra) => kmsCall(client, action, body, extra);
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
    expect(keyInfo.domain_id).toBe(server.tenants[0].domainId);
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
    expect(described.key_info).toMatchObject({ key_id: keyId, key_alias: name, domain_id: server.tenants[0].domainId });

    const listed = await kms('list-keys', { limit: '1000' });
    expect(listed.keys).toContain(keyId);
  });
});

describe('requests tampered with after the SDK signed them, or signed with the wrong key, are refused with 401 APIGW.0301', () => {
  const refusals: Array<[string, () => Promise<Answer>]> = [
    // The body the server receives is not the one signed (axios serialises after signing).
    [
      'the body',
      () =>
        kms(
          'create-key',
          { key_alias: alias('t') },
          { axiosRequestConfig: { transformRequest: [(data: Body) => JSON.stringify({ ...data, key_description: 'added' })] } },
        ),
    ],
    [
      'the path',
      () =>
        kms('create-key', { key_alias: alias('t') }, { axiosRequestConfig: { url: `/v1.0/${server.tenants[0].projectId}/kms/list-keys` } }),
    ],
    ['the query', () => kms('create-key', { key_alias: alias('t') }, { axiosRequestConfig: { params: { limit: '1' } } })],
    [
      'a signed header (content-type)',
      () =>
        kms(
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
      () =>
        kms(
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
      () => kms('create-key', { key_alias: alias('t') }, { headers: { 'X-Sdk-Date': sdkDate(Date.now() - 20 * 60_000) } }),
    ],
    [
      'a wrong SK',
      () => kmsCall(sdkClient(server.url, ak, `${sk}x`, server.tenants[0].projectId), 'create-key', { key_alias: alias('t') }),
    ],
    [
      'an unknown AK',
      () =>
        kmsCall(
          sdkClient(server.url, `UNKNOWN${randomBytes(8).toString('hex').toUpperCase()}`, sk, server.tenants[0].projectId),
          'create-key',
          { key_alias: alias('t') },
        ),
    ],
  ];

  it.each(refusals)('%s', async (_what, call) => {
    const error = await sdkError(call());
    expect(error).toBeInstanceOf(ClientRequestException);
    // The gateway's flat body {"error_code","error_msg","request_id"}: the SDK core reads its top-level error_code.
    expect(error).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
    expect(error.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expect(error.errorMsg).not.toContain(sk);
  });

  it("the first tenant's key on the second tenant's project is refused and makes no key", async () => {
    // The signature is valid; the key is not for that project. Which answer (401 APIGW.0301 or
    // 403 KMS.0305, as a token on a foreign project gets) is the verifier's documented choice.
    const name = alias('foreign');
    const foreign = sdkClient(server.url, ak, sk, server.tenants[1].projectId);
    const error = await sdkError(kmsCall(foreign, 'create-key', { key_alias: name }));
    expect([401, 403]).toContain(error.httpStatusCode);
    const second = server.tenants[1];
    const { accessKeyId, secretKey } = accessKeyOf(second);
    const own = sdkClient(server.url, accessKeyId, secretKey, second.projectId);
    await expect(kmsCall(own, 'create-key', { key_alias: name })).resolves.toMatchObject({ httpStatusCode: 200 });
  });

  it('a refused create-key made no key: the same alias is still free afterwards', async () => {
    const name = alias('free');
    await sdkError(kmsCall(sdkClient(server.url, ak, `${sk}x`, server.tenants[0].projectId), 'create-key', { key_alias: name }));
    await sdkError(kms('create-key', { key_alias: name }, { axiosRequestConfig: { params: { x: '1' } } }));
    await expect(kms('create-key', { key_alias: name })).resolves.toMatchObject({ httpStatusCode: 200 });
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
    const error = await sdkError(kmsCall(sdkClient(server.url, ak, `${sk}x`, server.tenants[0].projectId), 'list-keys', {}));
    expect(error).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
    expect(error.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
