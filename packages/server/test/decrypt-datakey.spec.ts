import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { buildTestApp, CALLERS, expectKmsError, REGION, type Caller, type TestApp } from './support';

const UPPER_HEX = /^([0-9A-F]{2})+$/;

describe('POST /v1.0/{project_id}/kms/decrypt-datakey', () => {
  let t: TestApp;
  let keyId: string;
  let otherKeyId: string;

  async function createKey(alias: string, caller: Caller = CALLERS.alice): Promise<string> {
    const res = await t.createKey({ key_alias: alias }, caller).expect(200);
    return res.body.key_info.key_id as string;
  }

  async function createDatakey(bits: number, context?: Record<string, string>, key = keyId) {
    const res = await t.createDatakey({ key_id: key, datakey_length: String(bits), encryption_context: context }).expect(200);
    return { plain: res.body.plain_text as string, cipher: res.body.cipher_text as string };
  }

  beforeAll(async () => {
    t = await buildTestApp();
    keyId = await createKey('app/orders');
    otherKeyId = await createKey('app/other');
  });

  it('returns the data key made by create-datakey: data_key, datakey_length in bytes, datakey_dgst', async () => {
    const dek = await createDatakey(512);
    const res = await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '64' }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['data_key', 'datakey_dgst', 'datakey_length']);
    expect(res.body.data_key).toBe(dek.plain);
    expect(res.body.datakey_length).toBe('64');
    expect(res.body.datakey_dgst).toBe(createHash('sha256').update(Buffer.from(dek.plain, 'hex')).digest('hex').toUpperCase());
    expect(res.body.datakey_dgst).toMatch(UPPER_HEX);
  });

  it('round-trips a data key of every allowed datakey_length (multiples of 8 from 8 to 8192)', async () => {
    for (let bits = 8; bits <= 8192; bits += 8) {
      const dek = await createDatakey(bits);
      const res = await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: String(bits / 8) });
      expect({ bits, status: res.status, same: res.body.data_key === dek.plain }).toEqual({ bits, status: 200, same: true });
    }
  }, 120_000);

  it('accepts the key by ID, alias/NAME and alias URN, and lower-case cipher_text', async () => {
    const dek = await createDatakey(256);
    for (const reference of [keyId, 'alias/app/orders', `kms:${REGION}:${CALLERS.alice.domainId}:alias:app/orders`]) {
      const res = await t.decryptDatakey({ key_id: reference, cipher_text: dek.cipher, datakey_cipher_length: '32' }).expect(200);
      expect(res.body.data_key).toBe(dek.plain);
    }
    const lower = await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher.toLowerCase(), datakey_cipher_length: '32' }).expect(200);
    expect(lower.body.data_key).toBe(dek.plain);
  });

  describe('encryption_context', () => {
    it('requires the same pairs, in any order', async () => {
      const dek = await createDatakey(256, { table: 'orders', tenant: 'acme' });
      const ok = await t
        .decryptDatakey({
          key_id: keyId,
          cipher_text: dek.cipher,
          datakey_cipher_length: '32',
          encryption_context: { tenant: 'acme', table: 'orders' },
        })
        .expect(200);
      expect(ok.body.data_key).toBe(dek.plain);
      for (const context of [
        undefined,
        {},
        { table: 'orders' },
        { table: 'orders', tenant: 'acmE' },
        { table: 'orders', tenant: 'acme', x: '' },
        { ta: 'bleorders', tenant: 'acme' },
      ]) {
        expectKmsError(
          await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32', encryption_context: context }),
          400,
          'KMS.2203',
        );
      }
    });

    it('fails a data key made without context when a context is given', async () => {
      const dek = await createDatakey(256);
      expectKmsError(
        await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32', encryption_context: { a: 'b' } }),
        400,
        'KMS.2203',
      );
    });

    it('rejects a context that is not string pairs (KMS.0208)', async () => {
      const dek = await createDatakey(256);
      for (const context of [{ a: 1 }, 'a', [], { a: { b: 'c' } }, { a: 'x'.repeat(8200) }]) {
        expectKmsError(
          await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32', encryption_context: context }),
          400,
          'KMS.0208',
        );
      }
    });
  });

  describe('key_id', () => {
    it('answers KMS.2203 for another key of the project than the one that sealed the blob', async () => {
      const dek = await createDatakey(256);
      expectKmsError(await t.decryptDatakey({ key_id: otherKeyId, cipher_text: dek.cipher, datakey_cipher_length: '32' }), 400, 'KMS.2203');
      expectKmsError(
        await t.decryptDatakey({ key_id: 'alias/app/other', cipher_text: dek.cipher, datakey_cipher_length: '32' }),
        400,
        'KMS.2203',
      );
    });

    it('answers 404 KMS.0207 for an unknown key, or a key of another project', async () => {
      const dek = await createDatakey(256);
      expectKmsError(
        await t.decryptDatakey({ key_id: '00000000-0000-0000-0000-000000000000', cipher_text: dek.cipher, datakey_cipher_length: '32' }),
        404,
        'KMS.0207',
      );
      // Bob is in Alice's domain but another project: Alice's key and blob are invisible to him.
      expectKmsError(
        await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' }, CALLERS.bob),
        404,
        'KMS.0207',
      );
      expectKmsError(
        await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' }, CALLERS.carol),
        404,
        'KMS.0207',
      );
    });

    it('answers KMS.0205 for a key_id that is no key reference, KMS.0204 when missing', async () => {
      const dek = await createDatakey(256);
      for (const reference of ['', 'not a key', 'alias/', '0D0466B0-E727-4D9C-B35D-F84BB474A37F']) {
        expectKmsError(
          await t.decryptDatakey({ key_id: reference, cipher_text: dek.cipher, datakey_cipher_length: '32' }),
          400,
          'KMS.0205',
        );
      }
      expectKmsError(await t.decryptDatakey({ cipher_text: dek.cipher, datakey_cipher_length: '32' }), 400, 'KMS.0204');
    });
  });

  describe('cipher_text', () => {
    it('answers KMS.0204 when missing, KMS.2201 when not hex pairs or too long', async () => {
      expectKmsError(await t.decryptDatakey({ key_id: keyId, datakey_cipher_length: '32' }), 400, 'KMS.0204');
      for (const text of ['', 'A', 'ABC', 'XY', '02 00', 'A'.repeat(4098), 12]) {
        expectKmsError(await t.decryptDatakey({ key_id: keyId, cipher_text: text, datakey_cipher_length: '32' }), 400, 'KMS.2201');
      }
    });

    it('answers KMS.2201 for a truncated or extended blob, never a 500', async () => {
      const dek = await createDatakey(256);
      const bytes = dek.cipher.length / 2;
      for (let keep = 1; keep < bytes; keep += 1) {
        expectKmsError(
          await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher.slice(0, keep * 2), datakey_cipher_length: '32' }),
          400,
          'KMS.2201',
        );
      }
      expectKmsError(
        await t.decryptDatakey({ key_id: keyId, cipher_text: `${dek.cipher}00`, datakey_cipher_length: '32' }),
        400,
        'KMS.2201',
      );
    });

    it('answers a clean 400 (KMS.2201 or KMS.2203) for any single flipped bit, never a key', async () => {
      const dek = await createDatakey(128, { a: 'b' });
      const blob = Buffer.from(dek.cipher, 'hex');
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: blob.length * 8 - 1 }), async (bit) => {
          const altered = Buffer.from(blob);
          altered[bit >> 3]! ^= 1 << (bit & 7);
          const res = await t.decryptDatakey({
            key_id: keyId,
            cipher_text: altered.toString('hex'),
            datakey_cipher_length: '16',
            encryption_context: { a: 'b' },
          });
          expect(res.status).toBe(400);
          expect(['KMS.2201', 'KMS.2203']).toContain(res.body.error.error_code);
          expect(res.body.data_key).toBeUndefined();
        }),
        { numRuns: 200 },
      );
    });

    it('answers a clean 400 or 404 for arbitrary hex, never a 500', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
          const res = await t.decryptDatakey({
            key_id: keyId,
            cipher_text: Buffer.from(bytes).toString('hex'),
            datakey_cipher_length: '32',
          });
          expect([400, 404]).toContain(res.status);
          expect(res.body.error.error_code).toMatch(/^KMS\.(2201|2203|0207)$/);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('datakey_cipher_length', () => {
    it('must be the data key length in bytes (KMS.0308), both sides', async () => {
      const dek = await createDatakey(256);
      for (const length of ['31', '33', '256', '1']) {
        expectKmsError(await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: length }), 400, 'KMS.0308');
      }
      await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' }).expect(200);
    });

    it('is a required decimal string (KMS.0204, KMS.0308)', async () => {
      const dek = await createDatakey(256);
      expectKmsError(await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher }), 400, 'KMS.0204');
      for (const length of ['', '0', '032', '-32', '32.0', '12345', 32]) {
        expectKmsError(await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: length }), 400, 'KMS.0308');
      }
    });
  });

  it('validates sequence (KMS.0206) and rejects fields the spec does not define (KMS.0308)', async () => {
    const dek = await createDatakey(256);
    const base = { key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' };
    await t.decryptDatakey({ ...base, sequence: '919c82d4-8046-4722-9094-35c3c6524cff' }).expect(200);
    expectKmsError(await t.decryptDatakey({ ...base, sequence: 'short' }), 400, 'KMS.0206');
    expectKmsError(await t.decryptDatakey({ ...base, datakey_length: '256' }), 400, 'KMS.0308');
  });

  it('opens a data key made without additional_authenticated_data given none or "", and refuses any other (KMS.2203)', async () => {
    // Sealed with the AAD form of every blob made before the field existed (docs/ciphertext-format.md).
    const dek = await createDatakey(256);
    const base = { key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' };
    await t.decryptDatakey({ ...base, additional_authenticated_data: '' }).expect(200);
    expectKmsError(await t.decryptDatakey({ ...base, additional_authenticated_data: 'x' }), 400, 'KMS.2203');
  });

  it('refuses additional_authenticated_data over 128 UTF-8 bytes with KMS.0308 naming the field', async () => {
    const dek = await createDatakey(256);
    const base = { key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' };
    const error = expectKmsError(await t.decryptDatakey({ ...base, additional_authenticated_data: '\u00E4'.repeat(65) }), 400, 'KMS.0308');
    expect(error.error_msg).toMatch(/^Invalid additional_authenticated_data: /);
  });

  it('never writes the data key or its digest to the logs', async () => {
    const dek = await createDatakey(256);
    const res = await t.decryptDatakey({ key_id: keyId, cipher_text: dek.cipher, datakey_cipher_length: '32' }).expect(200);
    const logs = t.logs.join('');
    expect(logs).not.toContain(dek.plain);
    expect(logs.toUpperCase()).not.toContain(dek.plain);
    expect(logs.toUpperCase()).not.toContain(res.body.datakey_dgst);
  });
});
