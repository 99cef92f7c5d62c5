import fc from 'fast-check';
import { loadSpec } from './load-spec';
import { ResponseValidator } from './response-validator';

const validator = new ResponseValidator(loadSpec());
const JSON_TYPE = 'application/json; charset=utf-8';
const KEY_ID = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';
const error = (code: string) => JSON.stringify({ error: { error_code: code, error_msg: 'x' } });

describe('ResponseValidator (the spec as oracle)', () => {
  it('accepts the documented create-key answer and rejects extra or malformed fields', () => {
    const ok = { key_info: { key_id: KEY_ID, domain_id: 'b168fe00ff56492495a7d22974df2d0b' } };
    expect(validator.validate('createKey', 200, JSON_TYPE, JSON.stringify(ok))).toEqual([]);
    expect(validator.validate('createKey', 200, JSON_TYPE, JSON.stringify({ key_info: [ok.key_info] }))).not.toEqual([]);
    expect(validator.validate('createKey', 200, JSON_TYPE, JSON.stringify({ key_info: { ...ok.key_info, key_state: '2' } }))).not.toEqual(
      [],
    );
    expect(
      validator.validate('createKey', 200, JSON_TYPE, JSON.stringify({ key_info: { ...ok.key_info, domain_id: 'B168' } })),
    ).not.toEqual([]);
  });

  it('fails a status the operation does not declare, and a 2xx for a request that matches no operation', () => {
    expect(validator.validate('createKey', 402, JSON_TYPE, error('KMS.0301'))[0]).toMatch(/status 402 is not declared for createKey/);
    expect(validator.validate('createDatakey', 422, JSON_TYPE, error('KMS.0308'))[0]).toMatch(/not declared/);
    expect(validator.validate(undefined, 200, JSON_TYPE, '{}')[0]).toMatch(/matches no operation/);
    expect(validator.validate(undefined, 404, JSON_TYPE, error('KMS.0201'))).toEqual([]);
  });

  it("takes a tag change's 204 without a body; the lenient level also takes the older revisions' 200 {} and nothing else", () => {
    const lenient = new ResponseValidator(loadSpec(), { strict: false });
    for (const operation of ['createKmsTag', 'deleteTag', 'batchCreateKmsTags'] as const) {
      expect(validator.validate(operation, 204, null, '')).toEqual([]);
      expect(lenient.validate(operation, 204, null, '')).toEqual([]);
      expect(validator.validate(operation, 200, JSON_TYPE, '{}')[0]).toMatch(/status 200 is not declared/);
      expect(lenient.validate(operation, 200, JSON_TYPE, '{}')).toEqual([]);
      expect(lenient.validate(operation, 200, JSON_TYPE, '{"tags":[]}')[0]).toMatch(/not the empty object/);
      expect(lenient.validate(operation, 200, 'text/plain', '{}')[0]).toMatch(/content type/);
    }
    // Operations with a 200 body are judged by their schema, as before.
    expect(lenient.validate('showKmsTags', 200, JSON_TYPE, '{}')).not.toEqual([]);
  });

  it('requires the error body, as JSON, on every declared error status', () => {
    expect(validator.validate('createKey', 400, JSON_TYPE, error('KMS.1101'))).toEqual([]);
    expect(validator.validate('createKey', 404, null, '')[0]).toMatch(/content type is \(none\)/);
    expect(validator.validate('createKey', 400, JSON_TYPE, '{"error":{"error_code":"1101","error_msg":"x"}}')[0]).toMatch(
      /must match pattern/,
    );
    expect(validator.validate('createKey', 400, JSON_TYPE, '{"error_code":"KMS.1101"}')).not.toEqual([]);
    expect(validator.validate('createKey', 400, 'text/html', error('KMS.1101'))[0]).toMatch(/content type is text\/html/);
  });

  it('accepts any even-length upper-case hex data key and rejects any with a lower-case digit (property)', () => {
    const hexBytes = fc.uint8Array({ minLength: 1, maxLength: 1024 }).map((b) => Buffer.from(b).toString('hex').toUpperCase());
    const body = (plain: string, cipher: string) => JSON.stringify({ key_id: KEY_ID, plain_text: plain, cipher_text: cipher });
    fc.assert(
      fc.property(hexBytes, hexBytes, (plain, cipher) => {
        expect(validator.validate('createDatakey', 200, JSON_TYPE, body(plain, cipher))).toEqual([]);
        if (/[A-F]/.test(plain))
          expect(validator.validate('createDatakey', 200, JSON_TYPE, body(plain.toLowerCase(), cipher))).not.toEqual([]);
        expect(validator.validate('createDatakey', 200, JSON_TYPE, body(plain, cipher.slice(1)))).not.toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('knows which response fields are sensitive', () => {
    expect(validator.sensitiveFields()).toEqual(['plain_text', 'data_key', 'plain_text_base64']);
  });

  it('lenient (MUST and SHOULD checks) allows extra response fields, lower-case hex and any domain_id; strict does not', () => {
    const lenient = new ResponseValidator(loadSpec(), { strict: false });
    const created = JSON.stringify({ key_info: { key_id: KEY_ID, domain_id: 'Domain-1', key_spec: 'AES_256' } });
    expect(lenient.validate('createKey', 200, JSON_TYPE, created)).toEqual([]);
    expect(validator.validate('createKey', 200, JSON_TYPE, created)).not.toEqual([]);
    const datakey = JSON.stringify({ key_id: KEY_ID, plain_text: 'ab01', cipher_text: 'cd02' });
    expect(lenient.validate('createDatakey', 200, JSON_TYPE, datakey)).toEqual([]);
    expect(validator.validate('createDatakey', 200, JSON_TYPE, datakey)).not.toEqual([]);
    // What the documents do fix stays: the error body, KMS codes, hex pairs, the key ID format.
    expect(lenient.validate('createKey', 400, JSON_TYPE, '{"error_code":"KMS.1101"}')).not.toEqual([]);
    expect(lenient.validate('createKey', 400, JSON_TYPE, error('1101'))).not.toEqual([]);
    expect(
      lenient.validate('createDatakey', 200, JSON_TYPE, JSON.stringify({ key_id: KEY_ID, plain_text: 'abc', cipher_text: 'cd02' })),
    ).not.toEqual([]);
    expect(lenient.validate('createKey', 200, JSON_TYPE, JSON.stringify({ key_info: { key_id: 'KEY', domain_id: 'd' } }))).not.toEqual([]);
  });
});
