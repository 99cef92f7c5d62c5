import { buildTestApp, CALLERS, expectKmsError, KEY_ID_PATTERN, type TestApp } from './support';

describe('POST /v1.0/{project_id}/kms/create-key', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });

  it('creates a key and answers key_info as an object with key_id and domain_id (001 supersedes 000)', async () => {
    const res = await t.createKey({ key_alias: 'test' }).expect(200);
    expect(Object.keys(res.body)).toEqual(['key_info']);
    expect(res.body.key_info.key_id).toMatch(KEY_ID_PATTERN);
    expect(res.body.key_info.domain_id).toBe(CALLERS.alice.domainId);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('gives every key a new ID', async () => {
    const a = await t.createKey({ key_alias: 'one' }).expect(200);
    const b = await t.createKey({ key_alias: 'two' }).expect(200);
    expect(a.body.key_info.key_id).not.toBe(b.body.key_info.key_id);
  });

  it('accepts every optional field', async () => {
    await t
      .createKey({
        key_alias: 'app/orders',
        key_description: 'Orders service master key',
        origin: 'kms',
        enterprise_project_id: '0',
        sequence: '919c82d4-8046-4722-9094-35c3c6524cff',
      })
      .expect(200);
    await t.createKey({ key_alias: 'eps', enterprise_project_id: '3f0a2c1e-9b7d-4e6f-8a5b-1c2d3e4f5a6b' }).expect(200);
  });

  describe('key_alias', () => {
    it.each([
      ['1 character', 'a'],
      ['255 characters', 'a'.repeat(255)],
      ['every allowed character class', 'Az09:/_-'],
      ['"default" alone', 'default'],
      ['a suffix that only starts with /default', 'x/defaults'],
      ['/default in the middle', 'x/default/y'],
      ['"-default" suffix', 'x-default'],
    ])('accepts %s', async (_name, alias) => {
      await t.createKey({ key_alias: alias }).expect(200);
    });

    it.each([
      ['empty', ''],
      ['256 characters', 'a'.repeat(256)],
      ['a space', 'a b'],
      ['a dot', 'a.b'],
      ['non-ASCII', 'clé'],
      ['the reserved /default suffix', 'evs/default'],
      ['/default alone', '/default'],
      ['a trailing newline', 'abc\n'],
    ])('rejects %s with KMS.1101', async (_name, alias) => {
      expectKmsError(await t.createKey({ key_alias: alias }), 400, 'KMS.1101');
    });

    it.each([
      ['a number', 42],
      ['null', null],
      ['an array', ['a']],
    ])('rejects %s with KMS.1101', async (_name, alias) => {
      expectKmsError(await t.createKey({ key_alias: alias }), 400, 'KMS.1101');
    });

    it('is required (KMS.0204)', async () => {
      expectKmsError(await t.createKey({ key_description: 'no alias' }), 400, 'KMS.0204');
      expectKmsError(await t.createKey({}), 400, 'KMS.0204');
    });

    it('is unique per project (KMS.1104), and the same alias is free in another project or domain', async () => {
      await t.createKey({ key_alias: 'shared' }).expect(200);
      expectKmsError(await t.createKey({ key_alias: 'shared' }), 400, 'KMS.1104');
      await t.createKey({ key_alias: 'shared' }, CALLERS.bob).expect(200);
      await t.createKey({ key_alias: 'shared' }, CALLERS.carol).expect(200);
    });

    it('lets exactly one of many concurrent creations with one alias win', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => t.createKey({ key_alias: 'race' })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of results.filter((r) => r.status !== 200)) expectKmsError(r, 400, 'KMS.1104');
    });
  });

  describe('key_description', () => {
    it('accepts 0 and 255 characters (code points)', async () => {
      await t.createKey({ key_alias: 'd0', key_description: '' }).expect(200);
      await t.createKey({ key_alias: 'd255', key_description: 'd'.repeat(255) }).expect(200);
      await t.createKey({ key_alias: 'd255u', key_description: '密'.repeat(255) }).expect(200);
    });

    it('rejects 256 characters and non-strings with KMS.1103', async () => {
      expectKmsError(await t.createKey({ key_alias: 'd256', key_description: 'd'.repeat(256) }), 400, 'KMS.1103');
      expectKmsError(await t.createKey({ key_alias: 'dnum', key_description: 7 }), 400, 'KMS.1103');
    });
  });

  describe('origin', () => {
    it('accepts kms and external', async () => {
      await t.createKey({ key_alias: 'o1', origin: 'kms' }).expect(200);
      await t.createKey({ key_alias: 'o2', origin: 'external' }).expect(200);
    });

    it.each(['KMS', 'imported', '', 1])('rejects %p with KMS.0308', async (origin) => {
      expectKmsError(await t.createKey({ key_alias: 'o3', origin }), 400, 'KMS.0308');
    });
  });

  describe('enterprise_project_id', () => {
    it.each(['1', '00', 'not-a-uuid', '3F0A2C1E-9B7D-4E6F-8A5B-1C2D3E4F5A6B', ''])('rejects %p with KMS.0308', async (id) => {
      expectKmsError(await t.createKey({ key_alias: 'e', enterprise_project_id: id }), 400, 'KMS.0308');
    });
  });

  describe('sequence', () => {
    it('accepts exactly 36 printable ASCII characters', async () => {
      await t.createKey({ key_alias: 's1', sequence: '919c82d4-8046-4722-9094-35c3c6524cff' }).expect(200);
      await t.createKey({ key_alias: 's2', sequence: '!'.repeat(36) }).expect(200);
    });

    it.each([
      ['35 characters', 'a'.repeat(35)],
      ['37 characters', 'a'.repeat(37)],
      ['a space', `${'a'.repeat(35)} `],
      ['non-ASCII', `${'a'.repeat(35)}é`],
      ['a number', 123],
    ])('rejects %s with KMS.0206', async (_name, sequence) => {
      expectKmsError(await t.createKey({ key_alias: 's3', sequence }), 400, 'KMS.0206');
    });
  });

  it('rejects fields the spec does not define with KMS.0308 naming the field', async () => {
    const error = expectKmsError(await t.createKey({ key_alias: 'x', key_type: '1' }), 400, 'KMS.0308');
    expect(error.error_msg).toBe('The request body has a parameter this API does not define: key_type.');
  });

  it('names an undefined field safely: at most 64 characters, printable ASCII, a slash kept', async () => {
    const long = expectKmsError(await t.createKey({ key_alias: 'x', ['f'.repeat(100)]: 1 }), 400, 'KMS.0308');
    expect(long.error_msg).toBe(`The request body has a parameter this API does not define: ${'f'.repeat(64)}….`);
    const odd = expectKmsError(await t.createKey({ key_alias: 'x', 'a/b\n\u00E4': 1 }), 400, 'KMS.0308');
    expect(odd.error_msg).toBe('The request body has a parameter this API does not define: a/b??.');
  });

  describe('key_spec, key_usage, keystore_id (current revision)', () => {
    it('accepts key_spec AES_256 and key_usage ENCRYPT_DECRYPT, and describes the key with them', async () => {
      const res = await t.createKey({ key_alias: 'rev/explicit', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT' }).expect(200);
      const described = await t.describeKey({ key_id: res.body.key_info.key_id }).expect(200);
      expect(described.body.key_info).toMatchObject({ key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT' });
    });

    it.each([
      ['key_spec', 'SM4', 'Unsupported key_spec: OpenKMS makes only AES_256 keys.'],
      ['key_spec', 'RSA_2048', 'Unsupported key_spec: OpenKMS makes only AES_256 keys.'],
      ['key_spec', 'AES_128', 'Unsupported key_spec: OpenKMS makes only AES_256 keys.'],
      ['key_usage', 'SIGN_VERIFY', 'Unsupported key_usage: OpenKMS keys are ENCRYPT_DECRYPT only.'],
      ['keystore_id', '0', 'Unsupported keystore_id: OpenKMS has only the default keystore; leave keystore_id out.'],
    ])('refuses %s %p with KMS.0308 and that message, creating nothing', async (field, value, message) => {
      const alias = `rev/refused-${field}-${value}`;
      const error = expectKmsError(await t.createKey({ key_alias: alias, [field]: value }), 400, 'KMS.0308');
      expect(error.error_msg).toBe(message);
      expectKmsError(await t.describeKey({ key_id: `alias/${alias}` }), 404, 'KMS.0207');
    });

    it.each(['key_spec', 'key_usage', 'keystore_id'])('refuses a %s that is not a string with KMS.0308 naming it', async (field) => {
      const error = expectKmsError(await t.createKey({ key_alias: 'rev/type', [field]: 1 }), 400, 'KMS.0308');
      expect(error.error_msg).toBe(`Invalid parameter: ${field}.`);
    });
  });

  it('enforces the per-project key quota with KMS.1105, separately for each project', async () => {
    const small = await buildTestApp({ maxKeysPerProject: 2 });
    await small.createKey({ key_alias: 'q1' }).expect(200);
    await small.createKey({ key_alias: 'q2' }).expect(200);
    expectKmsError(await small.createKey({ key_alias: 'q3' }), 400, 'KMS.1105');
    await small.createKey({ key_alias: 'q1' }, CALLERS.bob).expect(200);
  });

  it('creates origin:external keys that cannot make data keys yet (KMS.0310)', async () => {
    const res = await t.createKey({ key_alias: 'ext', origin: 'external' }).expect(200);
    const keyId = res.body.key_info.key_id as string;
    expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: '512' }), 400, 'KMS.0310');
    expectKmsError(await t.createDatakey({ key_id: 'alias/ext', datakey_length: '512' }), 400, 'KMS.0310');
  });
});
