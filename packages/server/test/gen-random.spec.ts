import { buildTestApp, expectKmsError, type TestApp } from './support';

describe('POST /v1.0/{project_id}/kms/gen-random', () => {
  let t: TestApp;
  const send = (body: unknown) => t.post('gen-random').send(body as object);

  beforeAll(async () => {
    t = await buildTestApp();
  });

  it('answers the documented 512 bits as 64 bytes of upper-case hex in random_data only', async () => {
    const res = await send({ random_data_length: '512' }).expect(200);
    expect(Object.keys(res.body)).toEqual(['random_data']);
    expect(res.body.random_data).toMatch(/^[0-9A-F]{128}$/);
  });

  it.each([8, 16, 256, 1024, 8184, 8192])('answers exactly %i/8 bytes', async (bits) => {
    const res = await send({ random_data_length: String(bits) }).expect(200);
    expect(Buffer.from(res.body.random_data, 'hex')).toHaveLength(bits / 8);
  });

  it('never answers the same data twice', async () => {
    const a = await send({ random_data_length: '256' }).expect(200);
    const b = await send({ random_data_length: '256' }).expect(200);
    expect(a.body.random_data).not.toBe(b.body.random_data);
  });

  it.each(['0', '7', '12', '8200', '9999', '08', '-8', 'abc', '', '512.0'])(
    'refuses random_data_length %j with 400 KMS.0308',
    async (length) => {
      const error = expectKmsError(await send({ random_data_length: length }), 400, 'KMS.0308');
      expect(error.error_msg).toContain('random_data_length');
    },
  );

  it('refuses a missing random_data_length (KMS.0204), a number instead of a string and an unknown field (KMS.0308)', async () => {
    expectKmsError(await send({}), 400, 'KMS.0204');
    expectKmsError(await send({ random_data_length: 512 }), 400, 'KMS.0308');
    expectKmsError(await send({ random_data_length: '512', key_id: 'x' }), 400, 'KMS.0308');
  });
});
