import { buildTestApp, CALLERS, expectKmsError, KEY_ID_PATTERN, REGION, type TestApp } from './support';

const FIELDS = [
  'creation_date',
  'default_key_flag',
  'domain_id',
  'expiration_time',
  'key_alias',
  'key_description',
  'key_id',
  'key_rotation_enabled',
  'key_spec',
  'key_state',
  'key_type',
  'key_usage',
  'origin',
  'realm',
  'scheduled_deletion_date',
  'sys_enterprise_project_id',
];

describe('POST /v1.0/{project_id}/kms/describe-key', () => {
  let t: TestApp;
  let keyId: string;
  let before: number;
  let after: number;

  beforeAll(async () => {
    t = await buildTestApp();
    before = Date.now();
    const res = await t.createKey({ key_alias: 'app/orders', key_description: 'Orders 订单' }).expect(200);
    after = Date.now();
    keyId = res.body.key_info.key_id;
  });

  it('returns the full description, every field a string, dates as epoch milliseconds', async () => {
    const res = await t.describeKey({ key_id: keyId }).expect(200);
    expect(Object.keys(res.body)).toEqual(['key_info']);
    const info = res.body.key_info;
    expect(Object.keys(info).sort()).toEqual(FIELDS);
    for (const field of FIELDS) expect(typeof info[field]).toBe('string');
    expect(info).toMatchObject({
      key_id: keyId,
      domain_id: CALLERS.alice.domainId,
      key_alias: 'app/orders',
      realm: REGION,
      key_description: 'Orders 订单',
      scheduled_deletion_date: '',
      key_state: '2',
      default_key_flag: '0',
      origin: 'kms',
      key_rotation_enabled: 'false',
      sys_enterprise_project_id: '0',
    });
    expect(info.key_id).toMatch(KEY_ID_PATTERN);
    expect(info.creation_date).toMatch(/^[0-9]+$/);
    expect(Number(info.creation_date)).toBeGreaterThanOrEqual(before - 1);
    expect(Number(info.creation_date)).toBeLessThanOrEqual(after + 1);
  });

  it('finds the key by ID, alias/NAME and alias URN', async () => {
    for (const reference of [keyId, 'alias/app/orders', `kms:${REGION}:${CALLERS.alice.domainId}:alias:app/orders`]) {
      const res = await t.describeKey({ key_id: reference }).expect(200);
      expect(res.body.key_info.key_id).toBe(keyId);
    }
  });

  it('describes an external key pending import ("5") with its enterprise project', async () => {
    const eps = '7f3b2a10-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const created = await t.createKey({ key_alias: 'ext', origin: 'external', enterprise_project_id: eps }).expect(200);
    const res = await t.describeKey({ key_id: created.body.key_info.key_id }).expect(200);
    expect(res.body.key_info).toMatchObject({ key_state: '5', origin: 'external', sys_enterprise_project_id: eps, key_description: '' });
  });

  it("answers 404 KMS.0207 for an unknown key and for another project's or domain's key", async () => {
    expectKmsError(await t.describeKey({ key_id: '00000000-0000-0000-0000-000000000000' }), 404, 'KMS.0207');
    expectKmsError(await t.describeKey({ key_id: 'alias/missing' }), 404, 'KMS.0207');
    expectKmsError(await t.describeKey({ key_id: keyId }, CALLERS.bob), 404, 'KMS.0207');
    expectKmsError(await t.describeKey({ key_id: 'alias/app/orders' }, CALLERS.carol), 404, 'KMS.0207');
    expectKmsError(await t.describeKey({ key_id: `kms:other:${CALLERS.alice.domainId}:alias:app/orders` }), 404, 'KMS.0207');
  });

  it('answers KMS.0204 without key_id, KMS.0205 for no key reference, KMS.0206 and KMS.0308 as elsewhere', async () => {
    expectKmsError(await t.describeKey({}), 400, 'KMS.0204');
    for (const reference of ['', 'x', 'alias/', 7]) expectKmsError(await t.describeKey({ key_id: reference }), 400, 'KMS.0205');
    expectKmsError(await t.describeKey({ key_id: keyId, sequence: 'x' }), 400, 'KMS.0206');
    await t.describeKey({ key_id: keyId, sequence: '919c82d4-8046-4722-9094-35c3c6524cff' }).expect(200);
    expectKmsError(await t.describeKey({ key_id: keyId, limit: '1' }), 400, 'KMS.0308');
  });
});
