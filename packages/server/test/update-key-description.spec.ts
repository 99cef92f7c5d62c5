import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

describe('POST /v1.0/{project_id}/kms/update-key-description', () => {
  let t: TestApp;
  let keyId: string;
  const send = (body: unknown, caller: (typeof CALLERS)[keyof typeof CALLERS] = CALLERS.alice) =>
    t.post('update-key-description', caller).send(body as object);

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = (await t.createKey({ key_alias: 'described', key_description: 'before' }).expect(200)).body.key_info.key_id;
  });

  it.each(['after', '', 'x'.repeat(255), '鍵'.repeat(255)])(
    'sets %j, answered in key_info and shown by describe-key',
    async (description) => {
      const res = await send({ key_id: keyId, key_description: description }).expect(200);
      expect(res.body).toEqual({ key_info: { key_id: keyId, key_description: description } });
      expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_description).toBe(description);
    },
  );

  it('refuses 256 characters and a non-string with 400 KMS.1103, keeping the description', async () => {
    await send({ key_id: keyId, key_description: 'kept' }).expect(200);
    expectKmsError(await send({ key_id: keyId, key_description: 'x'.repeat(256) }), 400, 'KMS.1103');
    expectKmsError(await send({ key_id: keyId, key_description: 5 }), 400, 'KMS.1103');
    expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_description).toBe('kept');
  });

  it("answers KMS.0205 for no key ID, KMS.0204 for a missing field, 404 KMS.0207 for a missing or another project's key", async () => {
    expectKmsError(await send({ key_id: 'alias/described', key_description: 'x' }), 400, 'KMS.0205');
    expectKmsError(await send({ key_id: keyId }), 400, 'KMS.0204');
    expectKmsError(await send({ key_id: '00000000-0000-0000-0000-000000000000', key_description: 'x' }), 404, 'KMS.0207');
    expectKmsError(await send({ key_id: keyId, key_description: 'x' }, CALLERS.bob), 404, 'KMS.0207');
  });
});
