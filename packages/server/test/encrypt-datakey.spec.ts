import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { buildTestApp, CALLERS, expectKmsError, REGION, type TestApp } from './support';

const UPPER_HEX = /^([0-9A-F]{2})+$/;

function withDigest(dek: Buffer): string {
  return Buffer.concat([dek, createHash('sha256').update(dek).digest()])
    .toString('hex')
    .toUpperCase();
}

describe('POST /v1.0/{project_id}/kms/encrypt-datakey', () => {
  let t: TestApp;
  let keyId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = (await t.createKey({ key_alias: 'app/orders' }).expect(200)).body.key_info.key_id;
    await t.createKey({ key_alias: 'app/other' }).expect(200);
  });

  it('seals a data key that decrypt-datakey opens again: key_id, cipher_text, datakey_length in bytes', async () => {
    const dek = randomBytes(64);
    const res = await t.encryptDatakey({ key_id: keyId, plain_text: withDigest(dek), datakey_plain_length: '64' }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['cipher_text', 'datakey_length', 'key_id']);
    expect(res.body).toMatchObject({ key_id: keyId, datakey_length: '64' });
    expect(res.body.cipher_text).toMatch(UPPER_HEX);
    const back = await t.decryptDatakey({ key_id: keyId, cipher_text: res.body.cipher_text, datakey_cipher_length: '64' }).expect(200);
    expect(back.body.data_key).toBe(dek.toString('hex').toUpperCase());
  });

  it('round-trips any data key of 1 to 1024 bytes under any context, by ID, alias or URN (property)', async () => {
    const references = [keyId, 'alias/app/orders', `kms:${REGION}:${CALLERS.alice.domainId}:alias:app/orders`];
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 1024 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        fc.constantFrom(...references),
        async (bytes, context, reference) => {
          const dek = Buffer.from(bytes);
          const sealed = await t.encryptDatakey({
            key_id: reference,
            plain_text: withDigest(dek).toLowerCase(),
            datakey_plain_length: String(dek.length),
            encryption_context: context,
          });
          expect(sealed.status).toBe(200);
          const back = await t.decryptDatakey({
            key_id: keyId,
            cipher_text: sealed.body.cipher_text,
            datakey_cipher_length: String(dek.length),
            encryption_context: context,
          });
          expect(back.status).toBe(200);
          expect(back.body.data_key).toBe(dek.toString('hex').toUpperCase());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('binds additional_authenticated_data with the context (another, or none, is KMS.2203)', async () => {
    const dek = randomBytes(32);
    const sealed = await t
      .encryptDatakey({
        key_id: keyId,
        plain_text: withDigest(dek),
        datakey_plain_length: '32',
        encryption_context: { a: 'b' },
        additional_authenticated_data: 'c',
      })
      .expect(200);
    const base = { key_id: keyId, cipher_text: sealed.body.cipher_text, datakey_cipher_length: '32' };
    const back = await t.decryptDatakey({ ...base, encryption_context: { a: 'b' }, additional_authenticated_data: 'c' }).expect(200);
    expect(back.body.data_key).toBe(dek.toString('hex').toUpperCase());
    expectKmsError(await t.decryptDatakey({ ...base, encryption_context: { a: 'bc' } }), 400, 'KMS.2203');
    expectKmsError(await t.decryptDatakey({ ...base, encryption_context: { a: 'b' } }), 400, 'KMS.2203');
    expectKmsError(
      await t.decryptDatakey({ ...base, encryption_context: { a: '' }, additional_authenticated_data: 'bc' }),
      400,
      'KMS.2203',
    );
    const tooLong = {
      key_id: keyId,
      plain_text: withDigest(dek),
      datakey_plain_length: '32',
      additional_authenticated_data: 'a'.repeat(129),
    };
    expectKmsError(await t.encryptDatakey(tooLong), 400, 'KMS.0308');
  });

  it('binds the encryption_context (another context is KMS.2203)', async () => {
    const dek = randomBytes(32);
    const sealed = await t
      .encryptDatakey({ key_id: keyId, plain_text: withDigest(dek), datakey_plain_length: '32', encryption_context: { a: 'b' } })
      .expect(200);
    expectKmsError(
      await t.decryptDatakey({ key_id: keyId, cipher_text: sealed.body.cipher_text, datakey_cipher_length: '32' }),
      400,
      'KMS.2203',
    );
    expectKmsError(
      await t.decryptDatakey({
        key_id: keyId,
        cipher_text: sealed.body.cipher_text,
        datakey_cipher_length: '32',
        encryption_context: { a: 'c' },
      }),
      400,
      'KMS.2203',
    );
  });

  it('answers KMS.2103 for a digest that is not the SHA-256 of the data key, any bit flipped (property)', async () => {
    const dek = randomBytes(32);
    const good = Buffer.from(withDigest(dek), 'hex');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length * 8 - 1 }), async (bit) => {
        const bad = Buffer.from(good);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const res = await t.encryptDatakey({ key_id: keyId, plain_text: bad.toString('hex'), datakey_plain_length: '32' });
        expectKmsError(res, 400, 'KMS.2103');
      }),
      { numRuns: 100 },
    );
  });

  it('answers KMS.2101 when plain_text is not datakey_plain_length + 32 bytes or not hex pairs', async () => {
    const dek = randomBytes(32);
    const good = withDigest(dek);
    for (const length of ['31', '33', '1']) {
      expectKmsError(await t.encryptDatakey({ key_id: keyId, plain_text: good, datakey_plain_length: length }), 400, 'KMS.2101');
    }
    for (const text of ['', 'A', 'XY', good.slice(1), 'A'.repeat(2114), 7]) {
      expectKmsError(await t.encryptDatakey({ key_id: keyId, plain_text: text, datakey_plain_length: '32' }), 400, 'KMS.2101');
    }
    // Exactly the DEK with no digest.
    expectKmsError(await t.encryptDatakey({ key_id: keyId, plain_text: dek.toString('hex'), datakey_plain_length: '32' }), 400, 'KMS.2101');
  });

  it('accepts datakey_plain_length 1 and 1024, rejects 0, 1025, non-decimal (KMS.0308) and a missing field (KMS.0204)', async () => {
    await t.encryptDatakey({ key_id: keyId, plain_text: withDigest(randomBytes(1)), datakey_plain_length: '1' }).expect(200);
    await t.encryptDatakey({ key_id: keyId, plain_text: withDigest(randomBytes(1024)), datakey_plain_length: '1024' }).expect(200);
    for (const length of ['0', '1025', '01', '32.0', 32]) {
      expectKmsError(
        await t.encryptDatakey({ key_id: keyId, plain_text: withDigest(randomBytes(32)), datakey_plain_length: length }),
        400,
        'KMS.0308',
      );
    }
    expectKmsError(await t.encryptDatakey({ key_id: keyId, plain_text: withDigest(randomBytes(32)) }), 400, 'KMS.0204');
    expectKmsError(await t.encryptDatakey({ key_id: keyId, datakey_plain_length: '32' }), 400, 'KMS.0204');
    expectKmsError(await t.encryptDatakey({ plain_text: withDigest(randomBytes(32)), datakey_plain_length: '32' }), 400, 'KMS.0204');
  });

  it('resolves key_id like create-datakey: KMS.0205, 404 KMS.0207, another project, a key pending import KMS.0310', async () => {
    const body = { plain_text: withDigest(randomBytes(16)), datakey_plain_length: '16' };
    expectKmsError(await t.encryptDatakey({ ...body, key_id: 'no key' }), 400, 'KMS.0205');
    expectKmsError(await t.encryptDatakey({ ...body, key_id: '00000000-0000-0000-0000-000000000000' }), 404, 'KMS.0207');
    expectKmsError(await t.encryptDatakey({ ...body, key_id: keyId }, CALLERS.bob), 404, 'KMS.0207');
    const external = await t.createKey({ key_alias: 'ext', origin: 'external' }).expect(200);
    expectKmsError(await t.encryptDatakey({ ...body, key_id: external.body.key_info.key_id }), 400, 'KMS.0310');
  });

  it('never writes the data key to the logs', async () => {
    const dek = randomBytes(32);
    await t.encryptDatakey({ key_id: keyId, plain_text: withDigest(dek), datakey_plain_length: '32' }).expect(200);
    expect(t.logs.join('').toUpperCase()).not.toContain(dek.toString('hex').toUpperCase());
  });
});
