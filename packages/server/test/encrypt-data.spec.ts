import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

describe('POST /v1.0/{project_id}/kms/encrypt-data', () => {
  let t: TestApp;
  let keyId: string;
  const send = (body: unknown) => t.post('encrypt-data').send(body as object);

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = (await t.createKey({ key_alias: 'data/app' }).expect(200)).body.key_info.key_id;
  });

  it('answers key_id and a base64 cipher_text of the data format (44 01, key ID readable), never the same twice', async () => {
    const a = await send({ key_id: 'alias/data/app', plain_text: 'hello', encryption_context: { t: 'x' } }).expect(200);
    expect(Object.keys(a.body).sort()).toEqual(['cipher_text', 'key_id']);
    expect(a.body.key_id).toBe(keyId);
    expect(a.body.cipher_text).toMatch(BASE64);
    const bytes = Buffer.from(a.body.cipher_text, 'base64');
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x44, 0x01]));
    expect(bytes.toString('latin1')).toContain(keyId);
    expect(bytes).toHaveLength(5 + 104);
    const b = await send({ key_id: keyId, plain_text: 'hello', encryption_context: { t: 'x' } }).expect(200);
    expect(b.body.cipher_text).not.toBe(a.body.cipher_text);
  });

  it('seals up to 4096 UTF-8 bytes; 4097, empty, a non-string and 4097 characters are 400 KMS.2101', async () => {
    await send({ key_id: keyId, plain_text: 'x'.repeat(4096) }).expect(200);
    await send({ key_id: keyId, plain_text: '鍵'.repeat(1365) }).expect(200);
    for (const plain_text of ['鍵'.repeat(1366), '', 'x'.repeat(4097), 42, 'a\uDC00']) {
      expectKmsError(await send({ key_id: keyId, plain_text }), 400, 'KMS.2101');
    }
  });

  it('takes encryption_algorithm SYMMETRIC_DEFAULT; another is 400 KMS.0308 naming the field', async () => {
    await send({ key_id: keyId, plain_text: 'x', encryption_algorithm: 'SYMMETRIC_DEFAULT' }).expect(200);
    const error = expectKmsError(
      await send({ key_id: keyId, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }),
      400,
      'KMS.0308',
    );
    expect(error.error_msg).toContain('encryption_algorithm');
  });

  it("refuses a bad context (KMS.0208), no key reference (KMS.0205), a missing or another project's key (404 KMS.0207)", async () => {
    expectKmsError(await send({ key_id: keyId, plain_text: 'x', encryption_context: { a: 1 } }), 400, 'KMS.0208');
    expectKmsError(await send({ key_id: 'nope', plain_text: 'x' }), 400, 'KMS.0205');
    expectKmsError(await send({ key_id: '00000000-0000-0000-0000-000000000000', plain_text: 'x' }), 404, 'KMS.0207');
    expectKmsError(await t.post('encrypt-data', CALLERS.bob).send({ key_id: keyId, plain_text: 'x' }), 404, 'KMS.0207');
    expectKmsError(await send({ plain_text: 'x' }), 400, 'KMS.0204');
  });

  it('never logs the plain_text', async () => {
    const before = t.logs.length;
    await send({ key_id: keyId, plain_text: 'do-not-log-this-canary' }).expect(200);
    expect(t.logs.slice(before).join('')).not.toContain('do-not-log-this-canary');
  });
});
