import { buildTestApp, CALLERS, expectKmsError, type Caller, type TestApp } from './support';

const UPPER_HEX = /^([0-9A-F]{2})+$/;

describe('POST /v1.0/{project_id}/kms/create-datakey-without-plaintext', () => {
  let t: TestApp;
  let keyId: string;
  const send = (body: unknown, caller: Caller = CALLERS.alice) => t.post('create-datakey-without-plaintext', caller).send(body as object);

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = (await t.createKey({ key_alias: 'wp/app' }).expect(200)).body.key_info.key_id;
  });

  it('answers key_id and cipher_text only (upper-case hex), and the blob opens with decrypt-datakey to a DEK of the asked length', async () => {
    const res = await send({ key_id: keyId, datakey_length: '512', encryption_context: { t: 'orders' } }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['cipher_text', 'key_id']);
    expect(res.body.key_id).toBe(keyId);
    expect(res.body.cipher_text).toMatch(UPPER_HEX);
    const opened = await t
      .decryptDatakey({
        key_id: keyId,
        cipher_text: res.body.cipher_text,
        datakey_cipher_length: '64',
        encryption_context: { t: 'orders' },
      })
      .expect(200);
    expect(opened.body.data_key).toMatch(/^[0-9A-F]{128}$/);
    expectKmsError(
      await t.decryptDatakey({ key_id: keyId, cipher_text: res.body.cipher_text, datakey_cipher_length: '64' }),
      400,
      'KMS.2203',
    );
  });

  it('takes the default 256 bits, key_spec and additional_authenticated_data as create-datakey does', async () => {
    const byDefault = await send({ key_id: 'alias/wp/app' }).expect(200);
    await t.decryptDatakey({ key_id: keyId, cipher_text: byDefault.body.cipher_text, datakey_cipher_length: '32' }).expect(200);
    const bySpec = await send({ key_id: keyId, key_spec: 'AES_128', additional_authenticated_data: 'x' }).expect(200);
    await t
      .decryptDatakey({
        key_id: keyId,
        cipher_text: bySpec.body.cipher_text,
        datakey_cipher_length: '16',
        additional_authenticated_data: 'x',
      })
      .expect(200);
  });

  it('never writes a plaintext data key to the log', async () => {
    const before = t.logs.length;
    await send({ key_id: keyId, datakey_length: '256' }).expect(200);
    expect(t.logs.slice(before).join('')).not.toMatch(/plain_text|data_key/);
  });

  // KEY stands for the key made in beforeAll (it.each tables are built before it runs).
  it.each([
    [{ key_id: 'KEY', datakey_length: '12' }, 400, 'KMS.1903'],
    [{ key_id: 'KEY', datakey_length: '8200' }, 400, 'KMS.1901'],
    [{ key_id: '00000000-0000-0000-0000-000000000000' }, 404, 'KMS.0207'],
    [{ key_id: 'not a key' }, 400, 'KMS.0205'],
    [{ datakey_length: '512' }, 400, 'KMS.0204'],
    [{ key_id: 'KEY', plain_text: '00' }, 400, 'KMS.0308'],
  ])('refuses %j with %i %s', async (body, status, code) => {
    const resolved = 'key_id' in body && body.key_id === 'KEY' ? { ...body, key_id: keyId } : body;
    expectKmsError(await send(resolved), status, code);
  });

  it("makes another project's key look missing (404 KMS.0207)", async () => {
    expectKmsError(await send({ key_id: keyId }, CALLERS.bob), 404, 'KMS.0207');
  });
});
