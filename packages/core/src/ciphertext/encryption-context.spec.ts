import fc from 'fast-check';
import { encodeEncryptionContext, type EncryptionContext } from './encryption-context';

/** 'binary' strings: any code point, never a lone surrogate (which UTF-8 cannot carry). */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const context = fc.dictionary(text, text, { maxKeys: 6 });

function sameMap(a: EncryptionContext, b: EncryptionContext): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}

/** An independent reader of the documented layout; decoding back proves the encoding loses nothing. */
function decode(encoded: Buffer): Map<string, string> {
  let offset = 0;
  const u32 = () => {
    const value = encoded.readUInt32BE(offset);
    offset += 4;
    return value;
  };
  const utf8 = () => {
    const length = u32();
    const value = encoded.subarray(offset, offset + length);
    if (value.length !== length) throw new Error('truncated');
    offset += length;
    return value.toString('utf8');
  };
  const pairs = new Map<string, string>();
  for (let count = u32(); count > 0; count -= 1) {
    const key = utf8();
    pairs.set(key, utf8());
  }
  if (offset !== encoded.length) throw new Error('trailing bytes');
  return pairs;
}

describe('encodeEncryptionContext', () => {
  it('encodes a small context as documented (count, then sorted length-prefixed pairs)', () => {
    expect(encodeEncryptionContext({ b: '2', a: '1' }).toString('hex')).toBe(
      [
        '00000002', // two pairs
        '00000001',
        '61',
        '00000001',
        '31', // "a" -> "1"
        '00000001',
        '62',
        '00000001',
        '32', // "b" -> "2"
      ].join(''),
    );
  });

  it('encodes keys and values as UTF-8', () => {
    expect(encodeEncryptionContext({ é: '€' }).toString('hex')).toBe('00000001' + '00000002c3a9' + '00000003e282ac');
  });

  it('sorts by UTF-8 bytes, not by UTF-16 code units', () => {
    // U+FF61 is EF BD A1 in UTF-8 and U+1F600 is F0 9F 98 80; in UTF-16 the emoji (D83D DE00) sorts first.
    expect(encodeEncryptionContext({ '\u{1F600}': '', '\uFF61': '' }).toString('hex')).toBe(
      '00000002' + '00000003efbda1' + '00000000' + '00000004f09f9880' + '00000000',
    );
  });

  it('encodes an absent context and an empty one as a zero count', () => {
    expect(encodeEncryptionContext(undefined).toString('hex')).toBe('00000000');
    expect(encodeEncryptionContext({}).toString('hex')).toBe('00000000');
  });

  it('encodes empty keys and values with zero lengths', () => {
    expect(encodeEncryptionContext({ '': '' }).toString('hex')).toBe('00000001' + '00000000' + '00000000');
  });

  it('tells {"ab":"c"} and {"a":"bc"} apart', () => {
    expect(encodeEncryptionContext({ ab: 'c' }).equals(encodeEncryptionContext({ a: 'bc' }))).toBe(false);
    expect(encodeEncryptionContext({ a: 'b', c: 'd' }).equals(encodeEncryptionContext({ a: 'bcd' }))).toBe(false);
  });

  it('rejects non-string values', () => {
    for (const value of [1, null, undefined, true, {}, ['x']]) {
      expect(() => encodeEncryptionContext({ k: value } as unknown as EncryptionContext)).toThrow(TypeError);
    }
  });

  it('does not depend on insertion order', () => {
    fc.assert(
      fc.property(
        context.chain((ctx) =>
          fc.tuple(fc.constant(ctx), fc.shuffledSubarray(Object.entries(ctx), { minLength: Object.keys(ctx).length })),
        ),
        ([ctx, shuffled]) => {
          expect(encodeEncryptionContext(Object.fromEntries(shuffled))).toEqual(encodeEncryptionContext(ctx));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('decodes back to the same pairs (nothing is lost)', () => {
    fc.assert(
      fc.property(context, (ctx) => {
        expect(decode(encodeEncryptionContext(ctx))).toEqual(new Map(Object.entries(ctx)));
      }),
      { numRuns: 150 },
    );
  });

  it('is injective: encodings are equal exactly when the contexts are equal as maps', () => {
    // Independent pairs are almost never equal, so also draw copies and near-copies.
    const nearCopy = context.chain((ctx) =>
      fc.tuple(
        fc.constant(ctx),
        fc.oneof(
          fc.constant({ ...ctx }),
          fc.tuple(text, text).map(([key, value]) => ({ ...ctx, [key]: value })),
          fc.constantFrom(...Object.keys(ctx), '').map((drop) => Object.fromEntries(Object.entries(ctx).filter(([key]) => key !== drop))),
          text.map((suffix) =>
            Object.fromEntries(Object.entries(ctx).map(([key, value], i) => (i === 0 ? [key + suffix, value] : [key, value]))),
          ),
        ),
      ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.tuple(context, context), nearCopy), ([a, b]) => {
        expect(encodeEncryptionContext(a).equals(encodeEncryptionContext(b))).toBe(sameMap(a, b));
      }),
      { numRuns: 200 },
    );
  });
});
