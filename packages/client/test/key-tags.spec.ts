import { createKmsClient, KmsError } from '../src';

// The client's tag methods: method, path (the key ID and a percent-encoded tag key), body and typed answer.

const KEY_ID = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';

function recordingClient(answer: { status: number; body?: unknown }) {
  const requests: { method: string; url: string; body: unknown }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({
      method: String(init?.method),
      url: String(url),
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    const body = answer.body === undefined ? null : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status, headers: body === null ? {} : { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  const kms = createKmsClient({ endpoint: 'http://kms.test:8080', projectId: 'p1', token: 'tok', fetch: fetchFn, retry: false });
  return { kms, requests };
}

const BASE = 'http://kms.test:8080/v1.0/p1/kms';

describe('createKmsClient tag methods', () => {
  it('showKmsTags gets /{key_id}/tags and answers tags and existTagsNum', async () => {
    const answer = { tags: [{ key: 'env', value: 'prod' }], existTagsNum: 1 };
    const { kms, requests } = recordingClient({ status: 200, body: answer });
    await expect(kms.showKmsTags(KEY_ID)).resolves.toEqual(answer);
    expect(requests).toEqual([{ method: 'GET', url: `${BASE}/${KEY_ID}/tags`, body: undefined }]);
  });

  it('createKmsTag and batchCreateKmsTags post their bodies and resolve on 204', async () => {
    const single = recordingClient({ status: 204 });
    await expect(single.kms.createKmsTag(KEY_ID, { tag: { key: 'DEV', value: 'DEV1' } })).resolves.toBeUndefined();
    expect(single.requests).toEqual([{ method: 'POST', url: `${BASE}/${KEY_ID}/tags`, body: { tag: { key: 'DEV', value: 'DEV1' } } }]);
    const batch = recordingClient({ status: 204 });
    const body = { action: 'delete' as const, tags: [{ key: 'a' }] };
    await expect(batch.kms.batchCreateKmsTags(KEY_ID, body)).resolves.toBeUndefined();
    expect(batch.requests).toEqual([{ method: 'POST', url: `${BASE}/${KEY_ID}/tags/action`, body }]);
  });

  it('deleteTag sends DELETE with the tag key percent-encoded, and no body', async () => {
    const { kms, requests } = recordingClient({ status: 204 });
    await kms.deleteTag(KEY_ID, 'a/b 环境');
    expect(requests).toEqual([{ method: 'DELETE', url: `${BASE}/${KEY_ID}/tags/a%2Fb%20%E7%8E%AF%E5%A2%83`, body: undefined }]);
  });

  it('listKmsTags gets /tags; listKmsByTags posts to /resource_instances/action', async () => {
    const tags = recordingClient({ status: 200, body: { tags: [{ key: 'env', values: ['dev', 'prod'] }] } });
    await expect(tags.kms.listKmsTags()).resolves.toEqual({ tags: [{ key: 'env', values: ['dev', 'prod'] }] });
    expect(tags.requests).toEqual([{ method: 'GET', url: `${BASE}/tags`, body: undefined }]);
    const found = recordingClient({ status: 200, body: { resources: [], total_count: 3 } });
    const body = { action: 'count' as const, tags: [{ key: 'env', values: ['prod'] }] };
    await expect(found.kms.listKmsByTags(body)).resolves.toEqual({ resources: [], total_count: 3 });
    expect(found.requests).toEqual([{ method: 'POST', url: `${BASE}/resource_instances/action`, body }]);
  });

  it('throws a KmsError with the code of a refusal', async () => {
    const { kms } = recordingClient({ status: 400, body: { error: { error_code: 'KMS.0308', error_msg: 'Invalid tag key.' } } });
    const error = await kms.createKmsTag(KEY_ID, { tag: { key: 'a=b' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ status: 400, errorCode: 'KMS.0308' });
  });
});
