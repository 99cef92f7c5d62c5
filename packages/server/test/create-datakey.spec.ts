import { buildTestApp, CALLERS, expectKmsError, REGION, type Caller, type TestApp } from './support';

const UPPER_HEX = /^([0-9A-F]{2})+$/;

describe('POST /v1.0/{project_id}/kms/create-datakey', () => {
  let t: TestApp;
  let keyId: string;

  async function createKey(alias: string, caller: Caller = CALLERS.alice): Promise<string> {
    const res = await t.createKey({ key_alias: alias }, caller).expect(200);
    return res.body.key_info.key_id as string;
  }

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = await createKey('app/orders');
  });

  it('creates the documented 512-bit data key: key_id, plain_text of 64 bytes, cipher_text, both upper-case hex', async () => {
    const res = await t.createDatakey({ key_id: keyId, datakey_length: '512' }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['cipher_text', 'key_id', 'plain_text']);
    expect(res.body.key_id).toBe(keyId);
    expect(res.body.plain_text).toMatch(UPPER_HEX);
    expect(res.body.plain_text).toHaveLength(128);
    expect(res.body.cipher_text).toMatch(UPPER_HEX);
    // The blob is self-describing: version 02 00, and the key ID readable in ASCII.
    expect(res.body.cipher_text.startsWith('0200')).toBe(true);
    expect(Buffer.from(res.body.cipher_text, 'hex').toString('latin1')).toContain(keyId);
  });

  it.each([8, 16, 128, 256, 512, 1024, 4096, 8192])('returns exactly %i/8 bytes for datakey_length %i', async (bits) => {
    const res = await t.createDatakey({ key_id: keyId, datakey_length: String(bits) }).expect(200);
    expect(Buffer.from(res.body.plain_text, 'hex')).toHaveLength(bits / 8);
  });

  it('never returns the same data key or ciphertext twice', async () => {
    const a = await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200);
    const b = await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200);
    expect(a.body.plain_text).not.toBe(b.body.plain_text);
    expect(a.body.cipher_text).not.toBe(b.body.cipher_text);
  });

  it('seals the data key so that the core opens it again, under the same encryption_context only', async () => {
    const context = { table: 'orders', tenant: 'acme' };
    const res = await t.createDatakey({ key_id: keyId, datakey_length: '256', encryption_context: context }).expect(200);
    const scope = { domainId: CALLERS.alice.domainId, projectId: CALLERS.alice.projectId };
    const ciphertext = Buffer.from(res.body.cipher_text, 'hex');
    const opened = await t.service.decryptDataKey(scope, { ciphertext, encryptionContext: { tenant: 'acme', table: 'orders' } });
    expect(opened.plaintext.toString('hex').toUpperCase()).toBe(res.body.plain_text);
    await expect(t.service.decryptDataKey(scope, { ciphertext, encryptionContext: { table: 'orders' } })).rejects.toMatchObject({
      code: 'KMS.2203',
    });
  });

  describe('key resolution', () => {
    it('finds the key by ID, alias/NAME and alias URN', async () => {
      for (const reference of [keyId, 'alias/app/orders', `kms:${REGION}:${CALLERS.alice.domainId}:alias:app/orders`]) {
        const res = await t.createDatakey({ key_id: reference, datakey_length: '512' }).expect(200);
        expect(res.body.key_id).toBe(keyId);
      }
    });

    it('answers 404 KMS.0207 for an unknown key ID or alias', async () => {
      expectKmsError(await t.createDatakey({ key_id: '00000000-0000-0000-0000-000000000000', datakey_length: '512' }), 404, 'KMS.0207');
      expectKmsError(await t.createDatakey({ key_id: 'alias/missing', datakey_length: '512' }), 404, 'KMS.0207');
    });

    it('answers 404 KMS.0207 for a URN naming another region or domain', async () => {
      for (const urn of [
        `kms:other-region:${CALLERS.alice.domainId}:alias:app/orders`,
        `kms:${REGION}:${CALLERS.carol.domainId}:alias:app/orders`,
      ]) {
        expectKmsError(await t.createDatakey({ key_id: urn, datakey_length: '512' }), 404, 'KMS.0207');
      }
    });

    it("makes another project's key indistinguishable from a missing one", async () => {
      const bobKey = await createKey('bob-only', CALLERS.bob);
      const carolKey = await createKey('carol-only', CALLERS.carol);
      const missing = await t.createDatakey({ key_id: '00000000-0000-0000-0000-000000000000', datakey_length: '512' });
      for (const reference of [bobKey, carolKey, 'alias/bob-only', 'alias/carol-only']) {
        const res = await t.createDatakey({ key_id: reference, datakey_length: '512' });
        expectKmsError(res, 404, 'KMS.0207');
        expect(res.body).toEqual(missing.body);
      }
    });

    it.each([
      ['an upper-case key ID', '0D0466B0-E727-4D9C-B35D-F84BB474A37F'],
      ['a short key ID', '0d0466b0-e727-4d9c-b35d'],
      ['an empty alias', 'alias/'],
      ['a URN without alias', 'kms:r:d:key:x'],
      ['garbage', 'not a key'],
      ['empty', ''],
      ['a number', 12],
    ])('rejects %s with KMS.0205', async (_name, reference) => {
      expectKmsError(await t.createDatakey({ key_id: reference, datakey_length: '512' }), 400, 'KMS.0205');
    });
  });

  describe('datakey_length', () => {
    it.each([
      ['0', 'KMS.1901'],
      ['4', 'KMS.1901'],
      ['8200', 'KMS.1901'],
      ['9999', 'KMS.1901'],
      ['10000', 'KMS.1901'],
      ['0512', 'KMS.1901'],
      ['-8', 'KMS.1901'],
      ['512.0', 'KMS.1901'],
      [' 512', 'KMS.1901'],
      ['abc', 'KMS.1901'],
      ['', 'KMS.1901'],
      ['12', 'KMS.1903'],
      ['513', 'KMS.1903'],
      ['8191', 'KMS.1903'],
    ])('rejects %p with %s', async (length, code) => {
      expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: length }), 400, code);
    });

    it('must be a string: the number 512 is rejected with KMS.1901', async () => {
      expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: 512 }), 400, 'KMS.1901');
    });

    it('is optional (current revision): without it and without key_spec the data key is 256 bits; key_id stays required (KMS.0204)', async () => {
      const res = await t.createDatakey({ key_id: keyId }).expect(200);
      expect(Buffer.from(res.body.plain_text, 'hex')).toHaveLength(32);
      expectKmsError(await t.createDatakey({ datakey_length: '512' }), 400, 'KMS.0204');
      expectKmsError(await t.createDatakey({ key_spec: 'AES_256' }), 400, 'KMS.0204');
    });
  });

  describe('encryption_context', () => {
    it('accepts string pairs up to 8192 characters serialized, and an empty object', async () => {
      const filler = 'v'.repeat(8192 - JSON.stringify({ k: '' }).length);
      expect(JSON.stringify({ k: filler })).toHaveLength(8192);
      await t.createDatakey({ key_id: keyId, datakey_length: '512', encryption_context: { k: filler } }).expect(200);
      await t.createDatakey({ key_id: keyId, datakey_length: '512', encryption_context: {} }).expect(200);
    });

    it.each([
      ['8193 characters serialized', { k: 'v'.repeat(8193 - JSON.stringify({ k: '' }).length) }],
      ['a number value', { k: 1 }],
      ['a nested object', { k: { a: 'b' } }],
      ['a null value', { k: null }],
      ['an array', ['a']],
      ['a string', 'k=v'],
    ])('rejects %s with KMS.0208', async (_name, context) => {
      expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: '512', encryption_context: context }), 400, 'KMS.0208');
    });
  });

  it('validates sequence like create-key (KMS.0206)', async () => {
    await t.createDatakey({ key_id: keyId, datakey_length: '512', sequence: 'a'.repeat(36) }).expect(200);
    expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: '512', sequence: 'a'.repeat(37) }), 400, 'KMS.0206');
  });

  it('rejects fields the spec does not define with KMS.0308 naming the field (pin, pin_type, a typo)', async () => {
    for (const field of ['pin', 'pin_type', 'datakey_lenght']) {
      const error = expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: '512', [field]: '123456' }), 400, 'KMS.0308');
      expect(error.error_msg).toBe(`The request body has a parameter this API does not define: ${field}.`);
    }
  });

  describe('key_spec (current revision)', () => {
    it.each([
      [{ key_spec: 'AES_256' }, 32],
      [{ key_spec: 'AES_128' }, 16],
      [{ key_spec: 'AES_128', datakey_length: '512' }, 64],
      [{ key_spec: 'SM4', datakey_length: '64' }, 8],
    ])('%p makes a data key of %i bytes (datakey_length wins when both are given)', async (fields, bytes) => {
      const res = await t.createDatakey({ key_id: keyId, ...fields }).expect(200);
      expect(Buffer.from(res.body.plain_text, 'hex')).toHaveLength(bytes);
    });

    it.each(['SM4', 'HMAC_256', 'aes_128', ''])(
      'refuses %p without datakey_length with KMS.0308 naming the supported specs',
      async (keySpec) => {
        const error = expectKmsError(await t.createDatakey({ key_id: keyId, key_spec: keySpec }), 400, 'KMS.0308');
        expect(error.error_msg).toBe('Unsupported key_spec: use AES_256 or AES_128, or datakey_length.');
      },
    );

    it('must be a string (KMS.0308)', async () => {
      expectKmsError(await t.createDatakey({ key_id: keyId, key_spec: 256 }), 400, 'KMS.0308');
    });
  });

  describe('additional_authenticated_data (current revision)', () => {
    const scope = () => ({ domainId: CALLERS.alice.domainId, projectId: CALLERS.alice.projectId });

    it('is bound with the context: decrypt-datakey needs both, the same', async () => {
      const context = { table: 'orders' };
      const aad = 'orders/2026-12';
      const res = await t
        .createDatakey({ key_id: keyId, key_spec: 'AES_256', encryption_context: context, additional_authenticated_data: aad })
        .expect(200);
      const base = { key_id: keyId, cipher_text: res.body.cipher_text, datakey_cipher_length: '32' };
      const opened = await t.decryptDatakey({ ...base, encryption_context: context, additional_authenticated_data: aad }).expect(200);
      expect(opened.body.data_key).toBe(res.body.plain_text);
      expectKmsError(await t.decryptDatakey({ ...base, encryption_context: context }), 400, 'KMS.2203');
      expectKmsError(await t.decryptDatakey({ ...base, additional_authenticated_data: aad }), 400, 'KMS.2203');
      expectKmsError(
        await t.decryptDatakey({ ...base, encryption_context: context, additional_authenticated_data: 'orders/2026-11' }),
        400,
        'KMS.2203',
      );
      const ciphertext = Buffer.from(res.body.cipher_text, 'hex');
      const core = await t.service.decryptDataKey(scope(), { ciphertext, encryptionContext: context, additionalAuthenticatedData: aad });
      expect(core.plaintext.toString('hex').toUpperCase()).toBe(res.body.plain_text);
    });

    it('takes up to 128 UTF-8 bytes; more, or not a string, is KMS.0308 naming the field', async () => {
      await t.createDatakey({ key_id: keyId, additional_authenticated_data: 'a'.repeat(128) }).expect(200);
      await t.createDatakey({ key_id: keyId, additional_authenticated_data: '\u00E4'.repeat(64) }).expect(200);
      for (const aad of ['a'.repeat(129), '\u00E4'.repeat(65), 12, null, ['x']]) {
        const error = expectKmsError(await t.createDatakey({ key_id: keyId, additional_authenticated_data: aad }), 400, 'KMS.0308');
        expect(error.error_msg).toMatch(/additional_authenticated_data/);
      }
    });
  });
});
