/**
 * The tag operations through the published Huawei Cloud SDK core (3.1.211), signed with an access
 * key, each request built as the SDK's generated KmsClient builds it (huaweicloud-sdk-nodejs-v3
 * `services/kms/v2/KmsClient.ts`: createKmsTag, showKmsTags, deleteTag, batchCreateKmsTags,
 * listKmsTags, listKmsByTags; method, URL template, path parameters, content type, body), so an
 * application on Huawei's SDK can tag keys against OpenKMS: the bodyless GET and DELETE, a tag
 * named `action` (DELETE …/tags/action is that tag, POST …/tags/action the batch) and the 204
 * answers included. (The SDK core puts path parameters into the URL as they are, unencoded, so a
 * tag key holding `/` cannot be deleted through it, against any server.)
 */
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import type { SdkResponse } from '@huaweicloud/huaweicloud-sdk-core/SdkResponse';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
import { startTestServer } from '@openkms/server/testing';

jest.setTimeout(120_000);
Logger4jInstance.level = 'off';

type Answer = Record<string, unknown> & { httpStatusCode?: number };

let server: Awaited<ReturnType<typeof startTestServer>>;
let client: HcClient;

/** One operation as the SDK's KmsClient builds it: JSON content type with a body, plain `application/json` without. */
function sdkCall(method: string, url: string, pathParams: Record<string, string>, body?: Record<string, unknown>): Promise<Answer> {
  const contentType = body === undefined ? 'application/json' : 'application/json;charset=UTF-8';
  const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': contentType };
  // The generated client also sets responseHeaders, which the core reads.
  const options = { method, url, contentType, queryParams: {}, pathParams, headers, responseHeaders: [''] };
  const request: HttpRequestOptions = body === undefined ? options : { ...options, data: body };
  return client.sendRequest<SdkResponse & Answer>(request);
}

beforeAll(async () => {
  server = await startTestServer({ store: 'memory' });
  const tenant = server.tenants[0]!;
  const credentials = new BasicCredentials().withAk(tenant.accessKeyId).withSk(tenant.secretKey).withProjectId(tenant.projectId);
  client = new ClientBuilder<HcClient>((hcClient) => hcClient).withCredential(credentials).withEndpoint(server.url).build();
});
afterAll(async () => {
  await server?.stop();
});

it('adds, shows, batch-changes, finds and deletes tags through the SDK core with an access key', async () => {
  const created = await sdkCall('POST', '/v1.0/{project_id}/kms/create-key', {}, { key_alias: 'sdk/tags' });
  const keyId = (created['key_info'] as { key_id: string }).key_id;
  const path = { key_id: keyId };

  const added = await sdkCall('POST', '/v1.0/{project_id}/kms/{key_id}/tags', path, { tag: { key: 'action', value: 'prod' } });
  expect(added.httpStatusCode).toBe(204);
  const batch = await sdkCall('POST', '/v1.0/{project_id}/kms/{key_id}/tags/action', path, {
    action: 'create',
    tags: [{ key: 'team', value: 'payments' }],
  });
  expect(batch.httpStatusCode).toBe(204);

  const shown = await sdkCall('GET', '/v1.0/{project_id}/kms/{key_id}/tags', path);
  expect(shown).toMatchObject({
    httpStatusCode: 200,
    tags: [
      { key: 'action', value: 'prod' },
      { key: 'team', value: 'payments' },
    ],
    existTagsNum: 2,
  });
  const project = await sdkCall('GET', '/v1.0/{project_id}/kms/tags', {});
  expect(project).toMatchObject({
    tags: [
      { key: 'action', values: ['prod'] },
      { key: 'team', values: ['payments'] },
    ],
  });
  const found = await sdkCall(
    'POST',
    '/v1.0/{project_id}/kms/{resource_instances}/action',
    { resource_instances: 'resource_instances' },
    {
      action: 'filter',
      tags: [{ key: 'team', values: ['payments'] }],
    },
  );
  expect(found).toMatchObject({ total_count: 1, resources: [{ resource_id: keyId, resource_name: 'sdk/tags' }] });

  const deleted = await sdkCall('DELETE', '/v1.0/{project_id}/kms/{key_id}/tags/{key}', { key_id: keyId, key: 'action' });
  expect(deleted.httpStatusCode).toBe(204);
  const after = await sdkCall('GET', '/v1.0/{project_id}/kms/{key_id}/tags', path);
  expect(after).toMatchObject({ tags: [{ key: 'team', value: 'payments' }], existTagsNum: 1 });
});
