import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildTestApp, CALLERS, expectKmsError, type Caller, type TestApp } from './support';

describe('tag operations: /{key_id}/tags, /tags, /resource_instances/action', () => {
  let t: TestApp;
  const base = (caller: Caller) => `/v1.0/${caller.projectId}/kms`;
  const showTags = (keyId: string, caller: Caller = CALLERS.alice) =>
    request(t.app)
      .get(`${base(caller)}/${keyId}/tags`)
      .set('X-Auth-Token', caller.token);
  const addTag = (keyId: string, body: unknown, caller: Caller = CALLERS.alice) =>
    request(t.app)
      .post(`${base(caller)}/${keyId}/tags`)
      .set('X-Auth-Token', caller.token)
      .send(body as object);
  const deleteTag = (keyId: string, tagKey: string, caller: Caller = CALLERS.alice) =>
    request(t.app)
      .delete(`${base(caller)}/${keyId}/tags/${encodeURIComponent(tagKey)}`)
      .set('X-Auth-Token', caller.token);
  const batch = (keyId: string, body: unknown, caller: Caller = CALLERS.alice) =>
    request(t.app)
      .post(`${base(caller)}/${keyId}/tags/action`)
      .set('X-Auth-Token', caller.token)
      .send(body as object);
  const projectTags = (caller: Caller = CALLERS.alice) =>
    request(t.app)
      .get(`${base(caller)}/tags`)
      .set('X-Auth-Token', caller.token);
  const byTags = (body: unknown, caller: Caller = CALLERS.alice) => t.post('resource_instances/action', caller).send(body as object);
  const newKey = async (alias: string, caller: Caller = CALLERS.alice): Promise<string> =>
    (await t.createKey({ key_alias: alias }, caller).expect(200)).body.key_info.key_id as string;

  beforeEach(async () => {
    t = await buildTestApp();
  });

  it('adds (204, no body), shows (tags by key, existTagsNum), overwrites and deletes a tag; deleting a missing tag is 204 too', async () => {
    const keyId = await newKey('tags/one');
    expect((await showTags(keyId).expect(200)).body).toEqual({ tags: [], existTagsNum: 0 });
    const added = await addTag(keyId, { tag: { key: 'DEV', value: 'DEV1' } }).expect(204);
    expect(added.text).toBe('');
    await addTag(keyId, { tag: { key: 'app' } }).expect(204);
    await addTag(keyId, { tag: { key: 'DEV', value: 'DEV2' } }).expect(204);
    expect((await showTags(keyId).expect(200)).body).toEqual({
      tags: [
        { key: 'DEV', value: 'DEV2' },
        { key: 'app', value: '' },
      ],
      existTagsNum: 2,
    });
    await deleteTag(keyId, 'DEV').expect(204);
    await deleteTag(keyId, 'DEV').expect(204);
    expect((await showTags(keyId).expect(200)).body.tags).toEqual([{ key: 'app', value: '' }]);
  });

  it('routes DELETE .../tags/action to the tag named "action" and POST to the batch; other methods get 405', async () => {
    const keyId = await newKey('tags/route');
    await addTag(keyId, { tag: { key: 'action', value: 'x' } }).expect(204);
    await deleteTag(keyId, 'action').expect(204);
    expect((await showTags(keyId).expect(200)).body.existTagsNum).toBe(0);
    // A percent-encoded key with a slash and non-ASCII characters reaches the handler decoded.
    await addTag(keyId, { tag: { key: 'a/b 环境', value: '' } }).expect(204);
    await deleteTag(keyId, 'a/b 环境').expect(204);
    expect((await showTags(keyId).expect(200)).body.existTagsNum).toBe(0);
    const put = await request(t.app)
      .put(`${base(CALLERS.alice)}/${keyId}/tags`)
      .set('X-Auth-Token', CALLERS.alice.token)
      .send({});
    expectKmsError(put, 405, 'KMS.0215');
    expect(String(put.headers['allow']).split(', ').sort()).toEqual(['GET', 'POST']);
  });

  it('batch create and delete in one step (204); a repeated key, an empty list or a bad action is KMS.0308', async () => {
    const keyId = await newKey('tags/batch');
    await batch(keyId, {
      action: 'create',
      tags: [
        { key: 'key1', value: 'value1' },
        { key: 'key', value: 'value3' },
      ],
    }).expect(204);
    expectKmsError(await batch(keyId, { action: 'create', tags: [{ key: 'a' }, { key: 'a' }] }), 400, 'KMS.0308');
    expectKmsError(await batch(keyId, { action: 'create', tags: [] }), 400, 'KMS.0308');
    expectKmsError(await batch(keyId, { action: 'update', tags: [{ key: 'a' }] }), 400, 'KMS.0308');
    expectKmsError(await batch(keyId, { tags: [{ key: 'a' }] }), 400, 'KMS.0204');
    await batch(keyId, {
      action: 'delete',
      tags: [
        { key: 'key1', value: 'value1' },
        { key: 'key2', value: 'value3' },
      ],
    }).expect(204);
    expect((await showTags(keyId).expect(200)).body).toEqual({ tags: [{ key: 'key', value: 'value3' }], existTagsNum: 1 });
  });

  it('refuses tags over the limits with KMS.0308 and keeps what was there', async () => {
    const keyId = await newKey('tags/limits');
    expectKmsError(await addTag(keyId, { tag: { key: 'k'.repeat(37), value: '' } }), 400, 'KMS.0308');
    expectKmsError(await addTag(keyId, { tag: { key: 'k', value: 'v'.repeat(44) } }), 400, 'KMS.0308');
    expectKmsError(await addTag(keyId, { tag: { key: 'a=b', value: '' } }), 400, 'KMS.0308');
    expectKmsError(await addTag(keyId, { tag: { key: '', value: '' } }), 400, 'KMS.0308');
    expectKmsError(await addTag(keyId, { tag: { key: 'k', value: 'tab\there' } }), 400, 'KMS.0308');
    expectKmsError(await addTag(keyId, {}), 400, 'KMS.0204');
    const ten = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${i}` }));
    await batch(keyId, { action: 'create', tags: ten }).expect(204);
    expectKmsError(await addTag(keyId, { tag: { key: 'eleventh', value: '' } }), 400, 'KMS.0308');
    expect((await showTags(keyId).expect(200)).body.existTagsNum).toBe(10);
    expectKmsError(await deleteTag(keyId, 'x'.repeat(37)), 400, 'KMS.0308');
  });

  it("answers KMS.0205 for a malformed key ID and 404 KMS.0207 for a missing key or another project's", async () => {
    const keyId = await newKey('tags/private');
    expectKmsError(await showTags('not-a-key-id'), 400, 'KMS.0205');
    expectKmsError(await addTag('NOT-A-UUID', { tag: { key: 'a' } }), 400, 'KMS.0205');
    expectKmsError(await showTags(randomUUID()), 404, 'KMS.0207');
    expectKmsError(await showTags(keyId, CALLERS.bob), 404, 'KMS.0207');
    expectKmsError(await addTag(keyId, { tag: { key: 'a' } }, CALLERS.bob), 404, 'KMS.0207');
    expectKmsError(await deleteTag(keyId, 'a', CALLERS.bob), 404, 'KMS.0207');
    expectKmsError(await batch(keyId, { action: 'create', tags: [{ key: 'a' }] }, CALLERS.carol), 404, 'KMS.0207');
    expectKmsError(await request(t.app).get(`${base(CALLERS.alice)}/${keyId}/tags`), 403, 'KMS.0301');
  });

  it("lists the project's tags (keys with distinct values) and finds keys by tags: AND across keys, OR across values, matches on the alias", async () => {
    const prod = await newKey('app/orders');
    const dev = await newKey('app/billing');
    const plain = await newKey('other/plain');
    await batch(prod, {
      action: 'create',
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'a' },
      ],
    }).expect(204);
    await batch(dev, {
      action: 'create',
      tags: [
        { key: 'env', value: 'dev' },
        { key: 'team', value: 'a' },
      ],
    }).expect(204);
    await addTag(await newKey('bob/key', CALLERS.bob), { tag: { key: 'secret', value: 'b' } }, CALLERS.bob).expect(204);
    expect((await projectTags().expect(200)).body).toEqual({
      tags: [
        { key: 'env', values: ['dev', 'prod'] },
        { key: 'team', values: ['a'] },
      ],
    });

    const ids = (body: { resources: Array<{ resource_id: string }> }) => body.resources.map((r) => r.resource_id);
    const all = (await byTags({ action: 'filter' }).expect(200)).body;
    expect(ids(all)).toEqual([prod, dev, plain]);
    expect(all.total_count).toBe(3);
    expect(all.resources[0]).toMatchObject({
      resource_id: prod,
      resource_name: 'app/orders',
      resource_detail: { key_id: prod, key_alias: 'app/orders', key_state: '2' },
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'a' },
      ],
    });
    expect(all.resources[2].tags).toEqual([]);
    const both = await byTags({
      action: 'filter',
      tags: [
        { key: 'env', values: ['prod', 'dev'] },
        { key: 'team', values: ['a'] },
      ],
    });
    expect(ids(both.body)).toEqual([prod, dev]);
    expect(ids((await byTags({ action: 'filter', tags: [{ key: 'env', values: ['prod'] }] })).body)).toEqual([prod]);
    expect(ids((await byTags({ action: 'filter', tags: [{ key: 'env', values: [] }, { key: 'absent' }] })).body)).toEqual([]);
    expect(ids((await byTags({ action: 'filter', matches: [{ key: 'resource_name', value: 'billing' }] })).body)).toEqual([dev]);
    const page = (await byTags({ action: 'filter', limit: '1', offset: '1' }).expect(200)).body;
    expect(page).toMatchObject({ total_count: 3 });
    expect(ids(page)).toEqual([dev]);
    expect((await byTags({ action: 'count', tags: [{ key: 'team', values: ['a'] }] }).expect(200)).body).toEqual({
      resources: [],
      total_count: 2,
    });
  });

  it('refuses a bad resource_instances request with its documented code (KMS.0308; action missing KMS.0204)', async () => {
    expectKmsError(await byTags({}), 400, 'KMS.0204');
    for (const body of [
      { action: 'list' },
      { action: 'filter', limit: '0' },
      { action: 'filter', limit: '1001' },
      { action: 'filter', limit: 10 },
      { action: 'filter', offset: '-1' },
      { action: 'filter', tags: [{ key: 'a' }, { key: 'a' }] },
      { action: 'filter', tags: [{ key: 'a', values: ['x', 'x'] }] },
      { action: 'filter', matches: [{ key: 'resource_id', value: 'x' }] },
      { action: 'filter', matches: [{ key: 'resource_name', value: '' }] },
      { action: 'filter', not_tags: [{ key: 'a' }] },
      { action: 'filter', tags_any: [{ key: 'a' }] },
    ]) {
      expectKmsError(await byTags(body), 400, 'KMS.0308');
    }
  });

  it('tags work in every key state; a purged key takes its tags with it', async () => {
    let now = 1_800_000_000_000;
    t = await buildTestApp({ now: () => now });
    const keyId = await newKey('tags/doomed');
    await t.post('disable-key').send({ key_id: keyId }).expect(200);
    await addTag(keyId, { tag: { key: 'state', value: '3' } }).expect(204);
    await t.post('schedule-key-deletion').send({ key_id: keyId, pending_days: '7' }).expect(200);
    await addTag(keyId, { tag: { key: 'state', value: '4' } }).expect(204);
    expect((await showTags(keyId).expect(200)).body.tags).toEqual([{ key: 'state', value: '4' }]);
    now += 8 * 24 * 3600 * 1000;
    expectKmsError(await showTags(keyId), 404, 'KMS.0207');
    expect((await projectTags().expect(200)).body).toEqual({ tags: [] });
    await t.service.purgeDueKeys();
    expect((await byTags({ action: 'count' }).expect(200)).body).toEqual({ resources: [], total_count: 0 });
  });
});
