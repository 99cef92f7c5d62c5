import request from 'supertest';
import { buildTestApp, CALLERS, expectKmsError, type Caller, type TestApp } from './support';

describe('GET /v1.0/{project_id}/kms/user-quotas and user-instances', () => {
  let t: TestApp;
  const get = (path: string, caller: Caller = CALLERS.alice) =>
    request(t.app).get(`/v1.0/${caller.projectId}/kms/${path}`).set('X-Auth-Token', caller.token);

  beforeAll(async () => {
    t = await buildTestApp({ maxKeysPerProject: 3 });
  });

  it("answers the project's key quota and use, and the grants quota, following create-key up to KMS.1105", async () => {
    const empty = await get('user-quotas').expect(200);
    expect(empty.body).toEqual({
      quotas: {
        resources: [
          { type: 'CMK', used: 0, quota: 3 },
          { type: 'grant_per_CMK', used: 0, quota: 100 },
        ],
      },
    });
    expect((await get('user-instances').expect(200)).body).toEqual({ instance_num: 0 });
    for (const alias of ['q/1', 'q/2', 'q/3']) await t.createKey({ key_alias: alias }).expect(200);
    expectKmsError(await t.createKey({ key_alias: 'q/4' }), 400, 'KMS.1105');
    expect((await get('user-quotas').expect(200)).body.quotas.resources[0]).toEqual({ type: 'CMK', used: 3, quota: 3 });
    expect((await get('user-instances').expect(200)).body).toEqual({ instance_num: 3 });
  });

  it("counts only the caller's project", async () => {
    await t.createKey({ key_alias: 'bob/1' }, CALLERS.bob).expect(200);
    expect((await get('user-instances', CALLERS.bob).expect(200)).body).toEqual({ instance_num: 1 });
    expect((await get('user-quotas', CALLERS.bob).expect(200)).body.quotas.resources[0]).toEqual({ type: 'CMK', used: 1, quota: 3 });
  });

  it('needs a token (403 KMS.0301) and answers POST with 405 KMS.0215', async () => {
    expectKmsError(await request(t.app).get(`/v1.0/${CALLERS.alice.projectId}/kms/user-quotas`), 403, 'KMS.0301');
    const post = await t.post('user-instances').send({});
    expectKmsError(post, 405, 'KMS.0215');
    expect(post.headers['allow']).toBe('GET');
  });
});
