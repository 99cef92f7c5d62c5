import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

describe('POST /v1.0/{project_id}/kms/decrypt-data', () => {
  let t: TestApp;
  let keyId: string;
  let otherKeyId: string;
  const encrypt = async (body: Record<string, unknown>): Promise<string> =>
    (
      await t
        .post('encrypt-data')
        .send({ key_id: keyId, ...body })
        .expect(200)
    ).body.cipher_text;
  const send = (body: unknown) => t.post('decrypt-data').send(body as object);

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = (await t.createKey({ key_alias: 'dd/app' }).expect(200)).body.key_info.key_id;
    otherKeyId = (await t.createKey({ key_alias: 'dd/other' }).expect(200)).body.key_info.key_id;
  });

  it('answers key_id, plain_text (the text given) and plain_text_base64 (its UTF-8 bytes)', async () => {
    const text = 'card: 4111 — ключ 🔑';
    const cipher_text = await encrypt({ plain_text: text, encryption_context: { table: 'payments' } });
    const res = await send({ cipher_text, encryption_context: { table: 'payments' } }).expect(200);
    expect(res.body).toEqual({ key_id: keyId, plain_text: text, plain_text_base64: Buffer.from(text, 'utf8').toString('base64') });
    await send({
      cipher_text,
      key_id: 'alias/dd/app',
      encryption_context: { table: 'payments' },
      encryption_algorithm: 'SYMMETRIC_DEFAULT',
    }).expect(200);
  });

  it('refuses another context or none, and a key_id naming another key, with 400 KMS.2203', async () => {
    const cipher_text = await encrypt({ plain_text: 'x', encryption_context: { table: 'payments' } });
    expectKmsError(await send({ cipher_text, encryption_context: { table: 'orders' } }), 400, 'KMS.2203');
    expectKmsError(await send({ cipher_text }), 400, 'KMS.2203');
    expectKmsError(await send({ cipher_text, key_id: otherKeyId, encryption_context: { table: 'payments' } }), 400, 'KMS.2203');
  });

  it('refuses what is not base64, not canonical, damaged, or a data key blob with 400 KMS.2201', async () => {
    const cipher_text = await encrypt({ plain_text: 'secret' });
    const bytes = Buffer.from(cipher_text, 'base64');
    bytes[20] = bytes[20]! ^ 0x01;
    const dataKey = (await t.createDatakey({ key_id: keyId }).expect(200)).body.cipher_text as string;
    for (const bad of [
      '@@@@',
      'QUJD',
      `${cipher_text.slice(0, -4)}`,
      bytes.toString('base64'),
      Buffer.from(dataKey, 'hex').toString('base64'),
      'QQ=',
    ]) {
      expectKmsError(await send({ cipher_text: bad }), 400, 'KMS.2201');
    }
  });

  it("answers 404 KMS.0207 for another project's ciphertext, KMS.0308 for another algorithm, KMS.0204 without cipher_text", async () => {
    const cipher_text = await encrypt({ plain_text: 'mine' });
    expectKmsError(await t.post('decrypt-data', CALLERS.bob).send({ cipher_text }), 404, 'KMS.0207');
    expectKmsError(await send({ cipher_text, encryption_algorithm: 'SM2_ENCRYPT' }), 400, 'KMS.0308');
    expectKmsError(await send({}), 400, 'KMS.0204');
  });

  it('never logs plain_text or plain_text_base64', async () => {
    const cipher_text = await encrypt({ plain_text: 'canary-in-the-log' });
    const before = t.logs.length;
    await send({ cipher_text }).expect(200);
    const logged = t.logs.slice(before).join('');
    expect(logged).not.toContain('canary-in-the-log');
    expect(logged).not.toContain(Buffer.from('canary-in-the-log').toString('base64'));
  });
});
