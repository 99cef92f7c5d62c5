import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { encodeListCursor, KeyState, KmsError } from '@openkms/core';
import {
  DECIMAL_PATTERN,
  formatHex,
  parseDatakeyBits,
  parseDatakeyBytes,
  parseHex,
  parseKeyState,
  parseListLimit,
  parseListMarker,
} from '../src/handlers/wire';
import { SPEC_PATH } from '../src/runtime/spec-path';

type Schema = { properties: Record<string, { pattern?: string; enum?: string[] }> };
const schemas = (parse(readFileSync(SPEC_PATH, 'utf8')) as { components: { schemas: Record<string, Schema> } }).components.schemas;

/** The KMS error a parse throws, or its value. */
function outcome<T>(parseIt: () => T): T | { code: string; message: string } {
  try {
    return parseIt();
  } catch (error) {
    if (!(error instanceof KmsError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('wire parsing agrees with the spec', () => {
  it.each([
    ['CreateDatakeyRequest', 'datakey_length'],
    ['EncryptDatakeyRequest', 'datakey_plain_length'],
    ['DecryptDatakeyRequest', 'datakey_cipher_length'],
    ['ListKeysRequest', 'limit'],
    ['DecryptDatakeyResponse', 'datakey_length'],
    ['EncryptDatakeyResponse', 'datakey_length'],
  ])('%s.%s has the decimal pattern wire.ts parses', (schema, field) => {
    expect(new RegExp(schemas[schema]!.properties[field]!.pattern!).source).toBe(DECIMAL_PATTERN.source);
  });

  it('parses exactly the key states the spec lists', () => {
    expect(schemas.ListKeysRequest!.properties.key_state!.enum).toEqual(Object.values(KeyState));
  });
});

describe('decimal fields', () => {
  it('take exactly the canonical decimal strings of 1 to 9999, as numbers', () => {
    for (let n = 0; n <= 10_000; n += 1) {
      const expected = n >= 1 && n <= 9999 ? n : { code: 'KMS.1901', message: expect.any(String) };
      expect(outcome(() => parseDatakeyBits(String(n)))).toEqual(expected);
    }
  });

  it.each(['', ' 512', '512 ', '+512', '-8', '0512', '00', '512.0', '5e2', '0x200', '５１２', '8192\n'])(
    "refuse the non-canonical %p with the field's code",
    (text) => {
      expect(outcome(() => parseDatakeyBits(text))).toMatchObject({ code: 'KMS.1901' });
      expect(outcome(() => parseDatakeyBytes(text, 'datakey_plain_length'))).toEqual({
        code: 'KMS.0308',
        message: 'Invalid parameter: datakey_plain_length.',
      });
      expect(outcome(() => parseDatakeyBytes(text, 'datakey_cipher_length'))).toMatchObject({ code: 'KMS.0308' });
      expect(outcome(() => parseListLimit(text))).toEqual({ code: 'KMS.0308', message: 'Invalid parameter: limit.' });
    },
  );

  it("leave an absent limit absent, for core's default", () => {
    expect(parseListLimit(undefined)).toBeUndefined();
    expect(parseListLimit('1000')).toBe(1000);
  });
});

describe('parseKeyState', () => {
  it('takes "1" to "5" and nothing else', () => {
    for (const state of Object.values(KeyState)) expect(parseKeyState(state)).toBe(state);
    expect(parseKeyState(undefined)).toBeUndefined();
    for (const other of ['0', '6', '', ' 2', 'enabled', '02']) {
      expect(outcome(() => parseKeyState(other))).toEqual({ code: 'KMS.0308', message: 'Invalid parameter: key_state.' });
    }
  });
});

describe('parseListMarker', () => {
  it('reads the first page from an empty or absent marker, and a cursor from next_marker', () => {
    expect(parseListMarker(undefined)).toBeUndefined();
    expect(parseListMarker('')).toBeUndefined();
    const cursor = { creationDate: 1_700_000_000_000, keyId: randomUUID() };
    expect(parseListMarker(encodeListCursor(cursor))).toEqual(cursor);
  });

  it.each(['x', 'a+b/', Buffer.from('1:not-a-key-id').toString('base64url')])('answers %p with KMS.0308', (marker) => {
    expect(outcome(() => parseListMarker(marker))).toEqual({ code: 'KMS.0308', message: 'Invalid parameter: marker.' });
  });
});

describe('hex', () => {
  it('round-trips any bytes, answering upper case and reading either case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (array) => {
        const bytes = Buffer.from(array);
        const hex = formatHex(bytes);
        expect(hex).toMatch(/^([0-9A-F]{2})*$/);
        expect(parseHex(hex, 'KMS.2201')).toEqual(bytes);
        expect(parseHex(hex.toLowerCase(), 'KMS.2101')).toEqual(bytes);
      }),
    );
  });

  it.each(['A', 'ABC', 'GG', 'AB CD', '0x00', 'AB\n'])("refuses %p with the field's code instead of decoding part of it", (text) => {
    expect(outcome(() => parseHex(text, 'KMS.2201'))).toMatchObject({ code: 'KMS.2201' });
    expect(outcome(() => parseHex(text, 'KMS.2101'))).toMatchObject({ code: 'KMS.2101' });
  });
});
