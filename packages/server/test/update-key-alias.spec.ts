import { buildTestApp, CALLERS, expectKmsError, type Caller, type TestApp } from './support';

describe('POST /v1.0/{project_id}/kms/update-key-alias', () => {
  let t: TestApp;
  const send = (body: unknown, caller: Caller = CALLERS.alice) => t.post('update-key-alias', caller).send(body as object);
  const newKey = async (alias: string, caller: Caller = CALLERS.alice): Promise<string> =>
    (await t.createKey({ key_alias: alias }, caller).expect(200)).body.key_info.key_id;

  beforeAll(async () => {
    t = await buildTestApp();
  });

  it('answers key_info {key_id, key_alias}; the new alias names the key in create-datakey and describe-key, the old one is free', async () => {
    const keyId = await newKey('rename/from');
    const res = await send({ key_id: keyId, key_alias: 'rename/to' }).expect(200);
    expect(res.body).toEqual({ key_info: { key_id: keyId, key_alias: 'rename/to' } });
    expect((await t.describeKey({ key_id: 'alias/rename/to' }).expect(200)).body.key_info.key_alias).toBe('rename/to');
    expect((await t.createDatakey({ key_id: 'alias/rename/to' }).expect(200)).body.key_id).toBe(keyId);
    expectKmsError(await t.createDatakey({ key_id: 'alias/rename/from' }), 404, 'KMS.0207');
    await newKey('rename/from');
  });

  it("refuses another key's alias with 400 KMS.1104 and keeps both keys as they were", async () => {
    const a = await newKey('clash/a');
    const b = await newKey('clash/b');
    expectKmsError(await send({ key_id: b, key_alias: 'clash/a' }), 400, 'KMS.1104');
    expect((await t.describeKey({ key_id: b }).expect(200)).body.key_info.key_alias).toBe('clash/b');
    expect((await t.describeKey({ key_id: 'alias/clash/a' }).expect(200)).body.key_info.key_id).toBe(a);
  });

  it('lets exactly one of concurrent renames to one alias win', async () => {
    const keys = await Promise.all(['race/1', 'race/2', 'race/3', 'race/4'].map((alias) => newKey(alias)));
    const answers = await Promise.all(keys.map((keyId) => send({ key_id: keyId, key_alias: 'race/prize' })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of answers.filter((a) => a.status !== 200)) expectKmsError(r, 400, 'KMS.1104');
  });

  it.each([
    ['', 'KMS.1101'],
    ['a'.repeat(256), 'KMS.1101'],
    ['evs/default', 'KMS.1101'],
    ['bad alias', 'KMS.1101'],
  ])('refuses key_alias %j with 400 %s', async (alias, code) => {
    const keyId = await newKey(`rules/${alias.length}/${Math.random().toString(36).slice(2)}`);
    expectKmsError(await send({ key_id: keyId, key_alias: alias }), 400, code);
  });

  it('refuses a key_id that is no key ID (KMS.0205), missing fields (KMS.0204) and an unknown field (KMS.0308)', async () => {
    const keyId = await newKey('fields');
    expectKmsError(await send({ key_id: 'alias/fields', key_alias: 'x' }), 400, 'KMS.0205');
    expectKmsError(await send({ key_alias: 'x' }), 400, 'KMS.0204');
    expectKmsError(await send({ key_id: keyId }), 400, 'KMS.0204');
    expectKmsError(await send({ key_id: keyId, key_alias: 'x', key_description: 'y' }), 400, 'KMS.0308');
  });

  it("answers 404 KMS.0207 for a missing key and for another project's key, which keeps its alias", async () => {
    expectKmsError(await send({ key_id: '00000000-0000-0000-0000-000000000000', key_alias: 'ghost' }), 404, 'KMS.0207');
    const bobKey = await newKey('bob/key', CALLERS.bob);
    expectKmsError(await send({ key_id: bobKey, key_alias: 'taken/by/alice' }), 404, 'KMS.0207');
    expect((await t.describeKey({ key_id: bobKey }, CALLERS.bob).expect(200)).body.key_info.key_alias).toBe('bob/key');
  });
});
