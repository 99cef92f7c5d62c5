/**
 * The strict JSON reading of request bodies. fast-check prints the seed and the shrunk
 * counterexample of a failure; replay it with `{ seed, path }` in fc.assert's options.
 */
import fc from 'fast-check';
import { KmsError } from '@openkms/core';
import { parseStrictJson } from '../src/http/json-text';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The KMS error parseStrictJson threw, or undefined when it parsed. */
function refusal(input: Uint8Array): KmsError | undefined {
  try {
    parseStrictJson(input);
    return undefined;
  } catch (error) {
    if (error instanceof KmsError) return error;
    throw error;
  }
}

/** Well-formed Unicode strings (any plane), as a body may carry them. */
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const json = fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' });
/** Any JSON value, lone surrogates in keys and strings included (JSON.stringify escapes them). */
const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

/** `key` written with every UTF-16 code unit as a `\uXXXX` escape: the same key to JSON, other bytes on the wire. */
function escapedKey(key: string): string {
  return `"${Array.from({ length: key.length }, (_, i) => `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;
}

describe('parseStrictJson', () => {
  it('reads any JSON text without duplicate keys exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.oneof(json, anyJson), (value) => {
        const source = JSON.stringify(value);
        expect(parseStrictJson(bytes(source))).toEqual(JSON.parse(source));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any object with a key twice, at any depth, however the second one is escaped', () => {
    const duplicate = fc.record({
      key: text,
      first: json,
      second: json,
      others: fc.dictionary(text, json, { maxKeys: 4 }),
      escape: fc.boolean(),
      // Where the object sits: inside arrays and objects, this many levels down.
      wrappers: fc.array(fc.oneof(fc.constant('array'), text), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(duplicate, ({ key, first, second, others, escape, wrappers }) => {
        const members = Object.entries(others)
          .filter(([other]) => other !== key)
          .map(([other, value]) => `${JSON.stringify(other)}:${JSON.stringify(value)}`);
        const secondKey = escape ? escapedKey(key) : JSON.stringify(key);
        let source = `{${[`${JSON.stringify(key)}:${JSON.stringify(first)}`, ...members, `${secondKey}:${JSON.stringify(second)}`].join(',')}}`;
        for (const wrapper of wrappers) source = wrapper === 'array' ? `[1,${source}]` : `{${JSON.stringify(wrapper)}:${source}}`;
        expect(refusal(bytes(source))?.code).toBe('KMS.0202');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any body with a byte sequence that is not UTF-8, wherever it sits in a string', () => {
    const invalid = fc.constantFrom(
      [0xff],
      [0xfe],
      [0x80], // a continuation byte alone
      [0xc0, 0x80], // an overlong NUL
      [0xe0, 0x80, 0x80], // an overlong three-byte form
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
      [0xe2, 0x82], // truncated
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0xc3], // a lead byte and no continuation
    );
    fc.assert(
      fc.property(text, invalid, text, (before, bad, after) => {
        const [open, close] = [JSON.stringify(before).slice(0, -1), JSON.stringify(after).slice(1)];
        const body = Buffer.concat([bytes(`{"a":${open}`), Buffer.from(bad), bytes(`${close}}`)]);
        const error = refusal(body);
        expect(error?.code).toBe('KMS.0202');
        expect(error?.message).toMatch(/UTF-8/);
      }),
      { numRuns: 300 },
    );
  });

  it('never reads two different raw bytes as the same value (the U+FFFD collision)', () => {
    expect(refusal(Buffer.from([...bytes('{"a":"'), 0xff, ...bytes('"}')]))?.code).toBe('KMS.0202');
    expect(refusal(Buffer.from([...bytes('{"a":"'), 0xfe, ...bytes('"}')]))?.code).toBe('KMS.0202');
    // U+FFFD sent as itself is a character like any other.
    expect(parseStrictJson(bytes('{"a":"\uFFFD"}'))).toEqual({ a: '\uFFFD' });
  });

  it('reads surrogate escapes as JSON.parse does, paired or not (the fields that bind them refuse lone ones)', () => {
    expect(parseStrictJson(bytes('{"a":"\\ud83d\\ude00"}'))).toEqual({ a: '😀' });
    expect(parseStrictJson(bytes('{"a":"\\ud800"}'))).toEqual({ a: '\ud800' });
  });

  it('tells "\\ud800" and "\\udfff" apart as keys, so they are no duplicate', () => {
    expect(parseStrictJson(bytes('{"\\ud800":1,"\\udfff":2}'))).toEqual({ '\ud800': 1, '\udfff': 2 });
    expect(refusal(bytes('{"\\ud800":1,"\\ud800":2}'))?.code).toBe('KMS.0202');
  });

  it('allows one key in sibling and nested objects', () => {
    expect(parseStrictJson(bytes('[{"a":1},{"a":2}]'))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseStrictJson(bytes('{"a":{"a":{"a":1}},"b":[{"a":1,"b":2}]}'))).toEqual({ a: { a: { a: 1 } }, b: [{ a: 1, b: 2 }] });
    expect(refusal(bytes('{"a":{"a":1,"b":{"c":1,"c":2}}}'))?.code).toBe('KMS.0202');
    expect(refusal(bytes('{"key_alias":"bad alias!","key_alias":"ok"}'))?.code).toBe('KMS.0202');
  });

  it('refuses what is not JSON with KMS.0202, including what jsonc-parser alone would allow', () => {
    for (const source of ['{', '{"a":1,}', '{"a":1 /* c */}', "{'a':1}", '[1,]', 'NaN', '{"a":1}x']) {
      expect({ source, code: refusal(bytes(source))?.code }).toEqual({ source, code: 'KMS.0202' });
    }
  });

  it('drops a leading byte order mark, as JSON readers may (RFC 8259 §8.1)', () => {
    expect(parseStrictJson(Buffer.from([0xef, 0xbb, 0xbf, ...bytes('{"a":1}')]))).toEqual({ a: 1 });
  });
});
