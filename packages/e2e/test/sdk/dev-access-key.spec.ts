/**
 * A fixed access key pair signs requests as the official Huawei Cloud SDK core signs them
 * (`@huaweicloud/huaweicloud-sdk-core`: BasicCredentials, AKSKSigner, HcClient), against
 * `openkms-server --dev --dev-access-key … --dev-secret-key …` in two runs started with the same
 * flags, and against startOpenKms({ accessKeyId, secretKey }): the same pair works every time.
 */
import { randomUUID } from 'node:crypto';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import type { SdkResponse } from '@huaweicloud/huaweicloud-sdk-core/SdkResponse';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { ClientRequestException } from '@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
import { startOpenKms, startServerProcess } from '@openkms/server/testing';

jest.setTimeout(120_000);
// The SDK core logs every failed request to stdout; one request below fails on purpose.
Logger4jInstance.level = 'off';

const AK = 'FIXEDDEVAK0123456789';
const SK = 'fixedDevSecretKey0123456789abcdefghijKLM';
/** The dev project (the README's default): the pair is granted it. */
const DEV_PROJECT = '0123456789abcdef0123456789abcdef';

type Answer = Record<string, unknown> & { httpStatusCode?: number };

/** One KMS operation through the SDK core, built as the SDK's generated KmsClient builds it (see official-sdk-core.spec.ts). */
function kmsCall(
  endpoint: string,
  ak: string,
  sk: string,
  projectId: string,
  action: string,
  body: Record<string, unknown>,
): Promise<Answer> {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
  const client = new ClientBuilder<HcClient>((hcClient) => hcClient).withCredential(credentials).withEndpoint(endpoint).build();
  const request: HttpRequestOptions = {
    method: 'POST',
    url: `/v1.0/{project_id}/kms/${action}`,
    contentType: 'application/json;charset=UTF-8',
    queryParams: {},
    pathParams: {},
    headers: { 'Content-Type': 'application/json;charset=UTF-8' },
    data: body,
  };
  return client.sendRequest<SdkResponse & Answer>(request);
}

describe('the fixed dev pair, signed by the official SDK core', () => {
  it('gets 200 in two dev runs started with the same flags', async () => {
    const flags = ['--dev', '--dev-access-key', AK, '--dev-secret-key', SK];
    for (const run of [1, 2]) {
      const server = await startServerProcess(flags);
      try {
        const created = await kmsCall(server.url, AK, SK, DEV_PROJECT, 'create-key', { key_alias: `dev-ak-run-${run}-${randomUUID()}` });
        expect({ run, status: created.httpStatusCode }).toEqual({ run, status: 200 });
        const listed = await kmsCall(server.url, AK, SK, DEV_PROJECT, 'list-keys', {});
        expect({ run, status: listed.httpStatusCode, total: listed.total }).toEqual({ run, status: 200, total: 1 });
        // The SK is what makes the signature: another one is refused.
        const wrong = await kmsCall(server.url, AK, SK.replace(/.$/, 'Z'), DEV_PROJECT, 'list-keys', {}).then(
          () => undefined,
          (error: unknown) => error as ClientRequestException,
        );
        expect(wrong).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
      } finally {
        await server.stop();
      }
    }
  });

  it('gets 200 from startOpenKms given the pair, which it returns', async () => {
    const kms = await startOpenKms({ accessKeyId: AK, secretKey: SK });
    try {
      expect({ accessKeyId: kms.accessKeyId, secretKey: kms.secretKey }).toEqual({ accessKeyId: AK, secretKey: SK });
      const created = await kmsCall(kms.url, kms.accessKeyId, kms.secretKey, kms.projectId, 'create-key', { key_alias: 'signed-by-sdk' });
      expect(created.httpStatusCode).toBe(200);
      expect((created.key_info as { domain_id: string }).domain_id).toBe(kms.domainId);
    } finally {
      await kms.stop();
    }
  });
});
