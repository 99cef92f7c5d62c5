import { randomUUID } from 'node:crypto';
import { ensure, expectEachRejected, expectKmsError, expectOk } from './assertions';
import type { Check } from './check';
import type { CheckContext } from './context';
import { KMS_CODES } from '../spec/spec-facts';

type DatakeyBody = { key_id: string; plain_text: string; cipher_text: string };

const UPPER_HEX = /^[0-9A-F]*$/;

const lengthCode = (c: CheckContext) => c.facts.fieldErrorCode('CreateDatakeyRequest', 'datakey_length');
const contextCode = (c: CheckContext) => c.facts.fieldErrorCode('CreateDatakeyRequest', 'encryption_context');

/** One 200 data key of `bits` bits from a fresh key; messages never include the plaintext. */
async function dataKey(c: CheckContext, keyId: string, bits: number, extra: Record<string, unknown> = {}): Promise<DatakeyBody> {
  return expectOk<DatakeyBody>(c, await c.createDatakey({ key_id: keyId, datakey_length: String(bits), ...extra }), `${bits}-bit data key`);
}

function expectPlainTextBytes(body: DatakeyBody, bits: number): void {
  const bytes = body.plain_text.length / 2;
  ensure(body.plain_text.length === (bits / 8) * 2, `datakey_length ${bits}: plain_text is ${bytes} bytes (${body.plain_text.length} hex characters), expected ${bits / 8}`);
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
    reference: 'spec: createDatakey 200, CreateDatakeyResponse, datakey_length "512"; 002 Creating a DEK (example)',
    async run(c) {
      const key = await c.newKey('dk512');
      const body = await dataKey(c, key.keyId, 512);
      expectPlainTextBytes(body, 512);
      ensure(body.key_id === key.keyId, `response key_id ${body.key_id} is not the CMK's ${key.keyId}`);
    },
  },
  {
    id: 'CK-DK-HEX-UPPER',
    level: 'MUST',
    area: 'create-datakey',
    title: 'plain_text and cipher_text are upper-case hexadecimal',
    reference: 'spec: CreateDatakeyResponse.plain_text/cipher_text pattern [0-9A-F]; 002 Creating a DEK (example); kms-facts §3',
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
    reference: 'spec: CreateDatakeyResponse pattern ([0-9A-F]{2})+; kms-facts §3 "two characters a byte"',
    async run(c) {
      const key = await c.newKey('hexe');
      for (const bits of [8, 256, 512]) {
        const body = await dataKey(c, key.keyId, bits);
        ensure(body.plain_text.length > 0 && body.plain_text.length % 2 === 0, `${bits} bits: plain_text has ${body.plain_text.length} hex characters (odd or empty)`);
        ensure(body.cipher_text.length > 0 && body.cipher_text.length % 2 === 0, `${bits} bits: cipher_text has ${body.cipher_text.length} hex characters (odd or empty)`);
      }
    },
  },
  {
    id: 'CK-DK-LENGTH-HONOURED',
    level: 'MUST',
    area: 'create-datakey',
    title: 'plain_text is exactly datakey_length/8 bytes for 128, 256, 512 and 1024 bits',
    reference: 'spec: CreateDatakeyResponse.plain_text "exactly datakey_length / 8 bytes"; 002 Creating a DEK; kms-facts §7 (LocalStack ignores the length)',
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
    reference: 'spec: datakey_length x-kms-minimum 8; kms-facts §3 (the current service; the source document only shows 512)',
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
    reference: 'spec: datakey_length x-kms-maximum 8192; kms-facts §3 (the current service; the source document only shows 512)',
    async run(c) {
      const { max } = c.facts.datakeyLength();
      expectPlainTextBytes(await dataKey(c, (await c.newKey('max')).keyId, max), max);
    },
  },
  {
    id: 'CK-DK-LEN-RANGE',
    level: 'MUST',
    area: 'create-datakey',
    title: 'datakey_length out of range (0, 4, 8200, 9999) or with a leading zero is rejected (400, the field code)',
    reference: 'spec: datakey_length pattern ^[1-9][0-9]{0,3}$, x-kms-minimum/maximum, x-kms-error-code; kms-facts §3 KMS.1901',
    async run(c) {
      const key = await c.newKey('range');
      const { max, multipleOf } = c.facts.datakeyLength();
      const cases = ['0', '4', String(max + multipleOf), '9999', '0512', '10000'];
      await expectEachRejected(c, cases, (length) => c.createDatakey({ key_id: key.keyId, datakey_length: length }), 400, lengthCode(c), (l) => `datakey_length "${l}"`);
    },
  },
  {
    id: 'CK-DK-LEN-NOT-DECIMAL',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a datakey_length that is not a decimal string is rejected (400, the field code)',
    reference: 'spec: datakey_length type string, pattern, x-kms-error-code; 002 Creating a DEK (datakey_length is a String)',
    async run(c) {
      const key = await c.newKey('nd');
      const cases: unknown[] = ['abc', '', '5 12', '-8', '8.0', '0x20', ' 512', 512, null, ['512']];
      await expectEachRejected(c, cases, (length) => c.createDatakey({ key_id: key.keyId, datakey_length: length }), 400, lengthCode(c), (l) => `datakey_length ${JSON.stringify(l)}`);
    },
  },
  {
    id: 'CK-DK-LEN-MULTIPLE',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a datakey_length in range but not a multiple of 8 is rejected (400 KMS.1903)',
    reference: 'spec: datakey_length x-kms-multiple-of 8, createDatakey description (KMS.1903); kms-facts §3',
    async run(c) {
      const key = await c.newKey('mul');
      await expectEachRejected(c, ['12', '513', '8191'], (length) => c.createDatakey({ key_id: key.keyId, datakey_length: length }), 400, KMS_CODES.datakeyLengthNotMultiple, (l) => `datakey_length "${l}"`);
    },
  },
  {
    id: 'CK-DK-MISSING-FIELDS',
    level: 'MUST',
    area: 'create-datakey',
    title: 'create-datakey without key_id or without datakey_length is rejected (400 KMS.0204)',
    reference: 'spec: CreateDatakeyRequest.required [key_id, datakey_length]; 002 Creating a DEK (both mandatory)',
    async run(c) {
      const key = await c.newKey('miss');
      expectKmsError(c, await c.createDatakey({ datakey_length: '512' }), 400, KMS_CODES.missingParameter, 'no key_id');
      expectKmsError(c, await c.createDatakey({ key_id: key.keyId }), 400, KMS_CODES.missingParameter, 'no datakey_length');
      expectKmsError(c, await c.createDatakey({}), 400, KMS_CODES.missingParameter, 'empty object');
    },
  },
  {
    id: 'CK-DK-KEY-ID-INVALID',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a key_id that is neither a key ID, alias/NAME nor an alias URN is rejected (400, the field code)',
    reference: 'spec: CreateDatakeyRequest.key_id pattern, x-kms-error-code; 002 Creating a DEK; kms-facts §2',
    async run(c) {
      const code = c.facts.fieldErrorCode('CreateDatakeyRequest', 'key_id');
      const cases: unknown[] = ['not a key', randomUUID().toUpperCase(), randomUUID().slice(0, 35), 'alias/', 'alias/a b', 'kms:r:d:alias:', '', 42];
      await expectEachRejected(c, cases, (keyId) => c.createDatakey({ key_id: keyId, datakey_length: '256' }), 400, code, (k) => `key_id ${JSON.stringify(k)}`);
    },
  },
  {
    id: 'CK-DK-CONTEXT-OK',
    level: 'MUST',
    area: 'create-datakey',
    title: 'encryption_context of string pairs up to 8192 serialized characters is accepted',
    reference: 'spec: encryption_context additionalProperties string, x-kms-max-serialized-length 8192; 002 Creating a DEK',
    async run(c) {
      const key = await c.newKey('ctx');
      await dataKey(c, key.keyId, 256, { encryption_context: { table: 'orders', tenant: 'acme' } });
      await dataKey(c, key.keyId, 256, { encryption_context: {} });
      await dataKey(c, key.keyId, 256, { encryption_context: contextOfSerializedLength(c.facts.encryptionContextMaxChars()) });
    },
  },
  {
    id: 'CK-DK-CONTEXT-TOO-LONG',
    level: 'MUST',
    area: 'create-datakey',
    title: 'encryption_context longer than 8192 serialized characters is rejected (400, the field code)',
    reference: 'spec: encryption_context x-kms-max-serialized-length, x-kms-error-code; 002 Creating a DEK',
    async run(c) {
      const key = await c.newKey('ctxl');
      const context = contextOfSerializedLength(c.facts.encryptionContextMaxChars() + 1);
      expectKmsError(c, await c.createDatakey({ key_id: key.keyId, datakey_length: '256', encryption_context: context }), 400, contextCode(c), '8193-character context');
    },
  },
  {
    id: 'CK-DK-CONTEXT-TYPES',
    level: 'MUST',
    area: 'create-datakey',
    title: 'encryption_context that is not an object of string values is rejected (400, the field code)',
    reference: 'spec: encryption_context type object, additionalProperties type string, x-kms-error-code; 002 Creating a DEK',
    async run(c) {
      const key = await c.newKey('ctxt');
      const cases: unknown[] = [{ a: 1 }, { a: { b: 'c' } }, { a: null }, { a: ['b'] }, 'a=b', ['a', 'b'], 7, null];
      await expectEachRejected(c, cases, (context) => c.createDatakey({ key_id: key.keyId, datakey_length: '256', encryption_context: context }), 400, contextCode(c), (v) => `encryption_context ${JSON.stringify(v)}`);
    },
  },
  {
    id: 'CK-DK-FRESH-KEYS',
    level: 'MUST',
    area: 'create-datakey',
    title: 'two calls return different plain_text and different cipher_text',
    reference: 'spec: createDatakey description "Two calls never return the same key"',
    async run(c) {
      const key = await c.newKey('fresh');
      const first = await dataKey(c, key.keyId, 256);
      const second = await dataKey(c, key.keyId, 256);
      ensure(first.plain_text !== second.plain_text, 'two calls returned the same plain_text');
      ensure(first.cipher_text !== second.cipher_text, 'two calls returned the same cipher_text');
    },
  },
  {
    id: 'CK-DK-SEQUENCE',
    level: 'MUST',
    area: 'create-datakey',
    title: 'create-datakey accepts a 36-character sequence and rejects a 35-character one',
    reference: 'spec: CreateDatakeyRequest.sequence → Sequence, x-kms-error-code; 002 Creating a DEK (sequence)',
    async run(c) {
      const key = await c.newKey('seq');
      const sequence = randomUUID();
      await dataKey(c, key.keyId, 256, { sequence });
      const code = c.facts.fieldErrorCode('CreateDatakeyRequest', 'sequence');
      expectKmsError(c, await c.createDatakey({ key_id: key.keyId, datakey_length: '256', sequence: sequence.slice(1) }), 400, code, '35-character sequence');
    },
  },
  {
    id: 'CK-DK-UNKNOWN-FIELD',
    level: 'MUST',
    area: 'create-datakey',
    title: 'a body field the spec does not define is rejected (400 KMS.0308)',
    reference: 'spec: CreateDatakeyRequest additionalProperties false; docs/errors.md KMS.0308',
    async run(c) {
      const key = await c.newKey('uf');
      expectKmsError(c, await c.createDatakey({ key_id: key.keyId, datakey_length: '256', key_spec: 'AES_256' }), 400, KMS_CODES.invalidParameter, 'field key_spec');
    },
  },
];
