import { randomUUID } from 'node:crypto';
import { answer, ensure, expectEachRejected, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, openkms, seed, SEED, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';
import { KMS_CODES } from '../spec/spec-facts';

type DatakeyBody = { key_id: string; plain_text: string; cipher_text: string };

const UPPER_HEX = /^[0-9A-F]*$/;

/** OpenKMS's exact answers, read from the spec's x-kms-error-code. */
const lengthCode = (c: CheckContext) => answer(400, c.facts.fieldErrorCode('CreateDatakeyRequest', 'datakey_length'));
const contextCode = (c: CheckContext) => answer(400, c.facts.fieldErrorCode('CreateDatakeyRequest', 'encryption_context'));

const STATUS_400 = seed(`${SEED.createKeyCn}, status codes: 400 请求参数有误 (the same error answers as create-key)`);
const LENGTH_PARAM = seed(`${SEED.createDatakey}, Request parameters: datakey_length (String, number of bits, "512")`);
const LENGTH_RANGE = apiReference('create-datakey datakey_length, 8 to 8192 bits, a multiple of 8 (KMS.1901, KMS.1903)');
const LENGTH_CODES = errorTable('KMS.1901 length 8 to 8192, KMS.1903 multiple of 8, KMS.2001 must be 512, KMS.0308 invalid parameter');
const CONTEXT_PARAM = seed(`${SEED.createDatakey}, Request parameters: encryption_context (key-value pairs, at most 8192 characters)`);
const CONTEXT_CODES = errorTable('KMS.0208 invalid encryption_context, KMS.0308 invalid parameter');

/** One 200 data key of `bits` bits from a fresh key; messages never include the plaintext. */
async function dataKey(c: CheckContext, keyId: string, bits: number, extra: Record<string, unknown> = {}): Promise<DatakeyBody> {
  return expectOk<DatakeyBody>(c, await c.createDatakey({ key_id: keyId, datakey_length: String(bits), ...extra }), `${bits}-bit data key`);
}

function expectPlainTextBytes(body: DatakeyBody, bits: number): void {
  const bytes = body.plain_text.length / 2;
  ensure(
    body.plain_text.length === (bits / 8) * 2,
    `datakey_length ${bits}: plain_text is ${bytes} bytes (${body.plain_text.length} hex characters), expected ${bits / 8}`,
  );
}

/** A JSON object whose serialization is exactly `chars` characters: {"c":"xxx…"}. */
function contextOfSerializedLength(chars: number): Record<string, string> {
  const overhead = JSON.stringify({ c: '' }).length;
  return { c: 'x'.repeat(chars - overhead) };
}

export const createDatakeyChecks: readonly Check[] = [
  {
    id: 'CK-DK-512',
    level: 'MUST',
    area: 'create-datakey',
    title: 'the documented 512-bit data key: 200, 64 bytes of plain_text, key_id echoed',
    authority: [seed(`${SEED.createDatakey}, Example (datakey_length "512") and Response parameters`)],
    acceptedCodes: [],
    reference: 'spec: createDatakey 200, CreateDatakeyResponse, datakey_length "512"',
    keys: 1,
    async run(c) {
      const key = await c.newKey('dk512');
      const body = await dataKey(c, key.keyId, 512);
      expectPlainTextBytes(body, 512);
      ensure(body.key_id === key.keyId, `response key_id ${body.key_id} is not the CMK's ${key.keyId}`);
    },
  },
  {
    id: 'CK-DK-HEX-UPPER',
    level: 'SHOULD',
    area: 'create-datakey',
    title: 'plain_text and cipher_text are upper-case hexadecimal, as in the documented example',
    authority: [seed(`${SEED.createDatakey}, Example response (upper-case hexadecimal); Response parameters ("hexadecimal format")`)],
    acceptedCodes: [],
    reference: 'spec: CreateDatakeyResponse.plain_text/cipher_text pattern [0-9A-F]; KMS docs: data keys',
    keys: 1,
    async run(c) {
      const key = await c.newKey('hexu');
      for (const bits of [256, 512]) {
        const body = await dataKey(c, key.keyId, bits);
        ensure(UPPER_HEX.test(body.plain_text), `${bits} bits: plain_text has characters other than 0-9 A-F`);
        ensure(UPPER_HEX.test(body.cipher_text), `${bits} bits: cipher_text has characters other than 0-9 A-F`);
      }
    },
  },
  {
    id: 'CK-DK-HEX-EVEN',
    level: 'MUST',
    area: 'create-datakey',
    title: 'plain_text and cipher_text have two hex characters a byte (even length, non-empty)',
    authority: [seed(`${SEED.createDatakey}, Response parameters ("two characters indicate one byte")`)],
    acceptedCodes: [],
    reference: 'spec: CreateDatakeyResponse pattern ([0-9A-F]{2})+',
    keys: 1,
    async run(c) {
      const key = await c.newKey('hexe');
      for (const bits of [8, 256, 512]) {
        const body = await dataKey(c, key.keyId, bits);
        ensure(
          /^([0-9A-Fa-f]{2})+$/.test(body.plain_text),
          `${bits} bits: plain_text has ${body.plain_text.length} characters, not hex pairs`,
        );
        ensure(
          /^([0-9A-Fa-f]{2})+$/.test(body.cipher_text),
          `${bits} bits: cipher_text has ${body.cipher_text.length} characters, not hex pairs`,
        );
      }
    },
  },
  {
    id: 'CK-DK-LENGTH-HONOURED',
    level: 'MUST',
    area: 'create-datakey',
    title: 'plain_text is exactly datakey_length/8 bytes for 128, 256, 512 and 1024 bits',
    authority: [LENGTH_PARAM, LENGTH_RANGE],
    acceptedCodes: [],
    reference:
      'spec: CreateDatakeyResponse.plain_text "exactly datakey_length / 8 bytes"; KMS docs: other emulators (LocalStack ignores the length)',
    keys: 1,
    async run(c) {
      const key = await c.newKey('len');
      for (const bits of [128, 256, 512, 1024]) expectPlainTextBytes(await dataKey(c, key.keyId, bits), bits);
    },
  },
  {
    id: 'CK-DK-LEN-MIN',
    level: 'SHOULD',
    area: 'create-datakey',
    title: 'datakey_length "8" (the minimum) gives 1 byte',
    authority: [LENGTH_RANGE],
    acceptedCodes: [],
    reference: 'spec: datakey_length x-kms-minimum 8; KMS docs: data keys (the current service; the source document only shows 512)',
    keys: 1,
    async run(c) {
      const { min } = c.facts.datakeyLength();
      expectPlainTextBytes(await dataKey(c, (await c.newKey('min')).keyId, min), min);
    },
  },
  {
    id: 'CK-DK-LEN-MAX',
    level: 'SHOULD',
    area: 'create-datakey',
    title: 'datakey_length "8192" (the maximum) gives 1024 bytes',
    authority: [LENGTH_RANGE],
    acceptedCodes: [],
    reference: 'spec: datakey_length x-kms-maximum 8192; KMS docs: data keys (the current service; the source document only shows 512)',
    keys: 1,
    async run(c) {
      const { max } = c.facts.datakeyLength();
      expectPlainTextBytes(await dataKey(c, (await c.newKey('max')).keyId, max), max);
    },
  },
  {
    id: 'CK-DK-LEN-RANGE',
    level: 'MUST',
    area: 'create-datakey',
    title: 'datakey_length out of range (0, 4, 8200, 9999, 10000) is rejected with a 400',
    authority: [LENGTH_PARAM, LENGTH_RANGE, LENGTH_CODES],
    acceptedCodes: DOCUMENTED.datakeyLengthInvalid,
    reference: 'spec: datakey_length pattern ^[1-9][0-9]{0,3}$, x-kms-minimum/maximum, x-kms-error-code',
    keys: 1,
    async run(c) {
      const key = await c.newKey('range');
      const { max, multipleOf } = c.facts.datakeyLength();
      // "0512" is 512 to a server that reads the string as a number; only OpenKMS refuses the leading zero.
      const cases = ['0', '4', String(max + multipleOf), '9999', '10000', ...(c.strict ? ['0512'] : [])];
      const send = (length: string) => c.createDatakey({ key_id: key.keyId, datakey_length: length });
      await expectEachRejected(c, cases, send, DOCUMENTED.datakeyLengthInvalid, lengthCode(c), (l) => `datakey_length "${l}"`);
    },
    referenceTwin: { id: 'CK-REF-DK-LEN-RANGE', acceptedCodes: ['400 KMS.1901'] },
  },
  {
    id: 'CK-DK-LEN-NOT-DECIMAL',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a datakey_length that is not a decimal number in a string is rejected with a 400',
    authority: [LENGTH_PARAM, STATUS_400, LENGTH_CODES, errorTable('KMS.0204 a required parameter is missing ("" and null)')],
    acceptedCodes: DOCUMENTED.datakeyLengthEmpty,
    reference: 'spec: datakey_length type string, pattern, x-kms-error-code',
    keys: 1,
    async run(c) {
      const key = await c.newKey('nd');
      // "8.0", "0x20" and " 512" are numbers to some parsers; only OpenKMS is held to refuse them.
      const cases: unknown[] = ['abc', '', '5 12', '-8', 512, null, ['512'], ...(c.strict ? ['8.0', '0x20', ' 512'] : [])];
      const send = (length: unknown) => c.createDatakey({ key_id: key.keyId, datakey_length: length });
      await expectEachRejected(c, cases, send, DOCUMENTED.datakeyLengthEmpty, lengthCode(c), (l) => `datakey_length ${JSON.stringify(l)}`);
    },
    referenceTwin: { id: 'CK-REF-DK-LEN-NOT-DECIMAL', acceptedCodes: ['400 KMS.1901'] },
  },
  {
    id: 'CK-DK-LEN-MULTIPLE',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a datakey_length in range but not a multiple of 8 is rejected with a 400',
    authority: [LENGTH_RANGE, LENGTH_CODES],
    acceptedCodes: DOCUMENTED.datakeyLengthInvalid,
    reference: 'spec: datakey_length x-kms-multiple-of 8, createDatakey description (KMS.1903)',
    keys: 1,
    async run(c) {
      const key = await c.newKey('mul');
      const send = (length: string) => c.createDatakey({ key_id: key.keyId, datakey_length: length });
      await expectEachRejected(
        c,
        ['12', '513', '8191'],
        send,
        DOCUMENTED.datakeyLengthInvalid,
        answer(400, KMS_CODES.datakeyLengthNotMultiple),
        (l) => `datakey_length "${l}"`,
      );
    },
    referenceTwin: { id: 'CK-REF-DK-LEN-MULTIPLE', acceptedCodes: ['400 KMS.1903'] },
  },
  {
    id: 'CK-DK-MISSING-FIELDS',
    level: 'MUST',
    area: 'create-datakey',
    title:
      'create-datakey without key_id is rejected (400 KMS.0204); without datakey_length it is rejected (the seed) or makes a 256-bit key (the current revision)',
    authority: [
      seed(`${SEED.createDatakey}, Request parameters: key_id, datakey_length (Mandatory)`),
      apiReference('Creating a DEK (create-datakey): datakey_length optional; neither it nor key_spec: 256 bits'),
      errorTable('KMS.0204 a required parameter is missing'),
    ],
    acceptedCodes: DOCUMENTED.missingParameter,
    reference: 'spec: CreateDatakeyRequest.required [key_id]; datakey_length x-kms-default 256 (checked by CK-REF-DK-DEFAULT-LENGTH)',
    keys: 1,
    async run(c) {
      const key = await c.newKey('miss');
      const strict = answer(400, KMS_CODES.missingParameter);
      expectRejected(c, await c.createDatakey({ datakey_length: '512' }), DOCUMENTED.missingParameter, strict, 'no key_id');
      const noLength = await c.createDatakey({ key_id: key.keyId });
      if (noLength.status === 200) {
        const body = noLength.json as DatakeyBody;
        ensure(
          body.plain_text.length === 64,
          `no datakey_length: a ${body.plain_text.length / 2}-byte key; the current revision's default is 32 bytes`,
        );
      } else {
        expectRejected(c, noLength, DOCUMENTED.missingParameter, strict, 'no datakey_length (the seed makes it mandatory)');
      }
      expectRejected(c, await c.createDatakey({}), DOCUMENTED.missingParameter, strict, 'empty object');
    },
  },
  {
    id: 'CK-DK-KEY-ID-INVALID',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a key_id that is neither a key ID, alias/NAME nor an alias URN is rejected (400, or 404 not found)',
    authority: [
      seed(`${SEED.createDatakey}, Request parameters: key_id (key ID ^[0-9a-z]{8}-…$, alias/…, URN)`),
      STATUS_400,
      errorTable('KMS.0205 invalid key ID, KMS.0308 invalid parameter, KMS.0204 missing (""), 404 KMS.0207 the key does not exist'),
    ],
    acceptedCodes: DOCUMENTED.keyIdEmpty,
    reference: 'spec: CreateDatakeyRequest.key_id pattern, x-kms-error-code',
    keys: 0,
    async run(c) {
      const code = answer(400, c.facts.fieldErrorCode('CreateDatakeyRequest', 'key_id'));
      const cases: unknown[] = [
        'not a key',
        randomUUID().toUpperCase(),
        randomUUID().slice(0, 35),
        'alias/',
        'alias/a b',
        'kms:r:d:alias:',
        42,
      ];
      const send = (keyId: unknown) => c.createDatakey({ key_id: keyId, datakey_length: '512' });
      await expectEachRejected(c, cases, send, DOCUMENTED.keyIdInvalid, code, (k) => `key_id ${JSON.stringify(k)}`);
      expectRejected(c, await send(''), DOCUMENTED.keyIdEmpty, code, 'key_id ""');
    },
    referenceTwin: { id: 'CK-REF-DK-KEY-ID-INVALID', acceptedCodes: ['400 KMS.0205'] },
  },
  {
    id: 'CK-DK-CONTEXT-OK',
    level: 'MUST',
    area: 'create-datakey',
    title: 'encryption_context of string pairs well under 8192 characters (and {}) is accepted',
    authority: [CONTEXT_PARAM],
    acceptedCodes: [],
    reference: 'spec: encryption_context additionalProperties string, x-kms-max-serialized-length 8192',
    keys: 1,
    async run(c) {
      const key = await c.newKey('ctx');
      await dataKey(c, key.keyId, 512, { encryption_context: { table: 'orders', tenant: 'acme' } });
      await dataKey(c, key.keyId, 512, { encryption_context: {} });
      // How the 8192 characters are counted is open (pairs, or a serialization); OpenKMS counts compact JSON.
      const limit = c.facts.encryptionContextMaxChars();
      await dataKey(c, key.keyId, 512, { encryption_context: contextOfSerializedLength(c.strict ? limit : limit - 200) });
    },
    referenceTwin: { id: 'CK-REF-DK-CONTEXT-OK', acceptedCodes: [] },
  },
  {
    id: 'CK-DK-CONTEXT-TOO-LONG',
    level: 'MUST',
    area: 'create-datakey',
    title: 'encryption_context longer than 8192 characters however counted is rejected with a 400',
    authority: [CONTEXT_PARAM, STATUS_400, CONTEXT_CODES],
    acceptedCodes: DOCUMENTED.contextInvalid,
    reference: 'spec: encryption_context x-kms-max-serialized-length, x-kms-error-code',
    keys: 1,
    async run(c) {
      const key = await c.newKey('ctxl');
      const limit = c.facts.encryptionContextMaxChars();
      // OpenKMS: one character over in compact JSON. Any reading: a value alone longer than the limit.
      const context = c.strict ? contextOfSerializedLength(limit + 1) : { c: 'x'.repeat(limit + 1) };
      const response = await c.createDatakey({ key_id: key.keyId, datakey_length: '512', encryption_context: context });
      expectRejected(c, response, DOCUMENTED.contextInvalid, contextCode(c), 'context over 8192 characters');
    },
    referenceTwin: { id: 'CK-REF-DK-CONTEXT-TOO-LONG', acceptedCodes: ['400 KMS.0208'] },
  },
  {
    id: 'CK-DK-CONTEXT-TYPES',
    level: 'MUST',
    area: 'create-datakey',
    title: 'encryption_context that is not an object of string values is rejected with a 400',
    authority: [
      CONTEXT_PARAM,
      seed(`${SEED.createDatakey}, Request parameters: encryption_context (Type Object, example {"Key1":"Value1"})`),
      CONTEXT_CODES,
    ],
    acceptedCodes: DOCUMENTED.contextInvalid,
    reference: 'spec: encryption_context type object, additionalProperties type string, x-kms-error-code',
    keys: 1,
    async run(c) {
      const key = await c.newKey('ctxt');
      // A null context may be read as no context; only OpenKMS is held to refuse it.
      const cases: unknown[] = [{ a: 1 }, { a: { b: 'c' } }, { a: null }, { a: ['b'] }, 'a=b', ['a', 'b'], 7, ...(c.strict ? [null] : [])];
      const send = (context: unknown) => c.createDatakey({ key_id: key.keyId, datakey_length: '512', encryption_context: context });
      await expectEachRejected(c, cases, send, DOCUMENTED.contextInvalid, contextCode(c), (v) => `encryption_context ${JSON.stringify(v)}`);
    },
    referenceTwin: { id: 'CK-REF-DK-CONTEXT-TYPES', acceptedCodes: ['400 KMS.0208'] },
  },
  {
    id: 'CK-DK-FRESH-KEYS',
    level: 'MUST',
    area: 'create-datakey',
    title: 'two calls return different plain_text and different cipher_text',
    authority: [seed(`${SEED.createDatakey}, Function ("create a DEK")`)],
    acceptedCodes: [],
    reference: 'spec: createDatakey description "Two calls never return the same key"',
    keys: 1,
    async run(c) {
      const key = await c.newKey('fresh');
      const first = await dataKey(c, key.keyId, 512);
      const second = await dataKey(c, key.keyId, 512);
      ensure(first.plain_text !== second.plain_text, 'two calls returned the same plain_text');
      ensure(first.cipher_text !== second.cipher_text, 'two calls returned the same cipher_text');
    },
  },
  {
    id: 'CK-DK-SEQUENCE',
    level: 'MUST',
    area: 'create-datakey',
    title: 'create-datakey accepts a 36-character sequence and rejects a 35-character one with a 400',
    authority: [
      seed(`${SEED.createDatakey}, Request parameters: sequence ("A 36-byte serial number")`),
      STATUS_400,
      errorTable('KMS.0206 invalid sequence, KMS.0308'),
    ],
    acceptedCodes: DOCUMENTED.sequenceInvalid,
    reference: 'spec: CreateDatakeyRequest.sequence → Sequence, x-kms-error-code',
    keys: 1,
    async run(c) {
      const key = await c.newKey('seq');
      const sequence = randomUUID();
      await dataKey(c, key.keyId, 512, { sequence });
      const code = answer(400, c.facts.fieldErrorCode('CreateDatakeyRequest', 'sequence'));
      const response = await c.createDatakey({ key_id: key.keyId, datakey_length: '512', sequence: sequence.slice(1) });
      expectRejected(c, response, DOCUMENTED.sequenceInvalid, code, '35-character sequence');
    },
    referenceTwin: { id: 'CK-REF-DK-SEQUENCE', acceptedCodes: ['400 KMS.0206'] },
  },
  {
    id: 'CK-DK-UNKNOWN-FIELD',
    level: 'REFERENCE',
    area: 'create-datakey',
    title: 'a body field no API revision defines, and the unsupported pin and pin_type, are rejected (400 KMS.0308, naming the field)',
    authority: [
      openkms(
        'spec/kms.yaml CreateDatakeyRequest additionalProperties false; newer revisions add key_spec, additional_authenticated_data, pin',
      ),
    ],
    acceptedCodes: ['400 KMS.0308'],
    reference: 'spec: CreateDatakeyRequest additionalProperties false; docs/errors.md KMS.0308',
    keys: 1,
    async run(c) {
      const key = await c.newKey('uf');
      const response = await c.createDatakey({ key_id: key.keyId, datakey_length: '512', ck_no_such_field: 'x' });
      expectRejected(c, response, ['400 KMS.0308'], answer(400, KMS_CODES.invalidParameter), 'field ck_no_such_field');
      const message = (response.json as { error: { error_msg: string } }).error.error_msg;
      ensure(message.includes('ck_no_such_field'), `field ck_no_such_field: error_msg "${message}" does not name the field`);
      for (const field of ['pin', 'pin_type']) {
        const refused = await c.createDatakey({ key_id: key.keyId, datakey_length: '512', [field]: '1' });
        expectRejected(
          c,
          refused,
          ['400 KMS.0308'],
          answer(400, KMS_CODES.invalidParameter),
          `field ${field} (newer SDK models; unsupported)`,
        );
        const text = (refused.json as { error: { error_msg: string } }).error.error_msg;
        ensure(text.includes(field), `field ${field}: error_msg "${text}" does not name the field`);
      }
    },
  },
];
