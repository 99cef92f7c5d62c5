import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { KEY_ID_PATTERN } from './key-id';
import { LIST_CURSOR_MAX_CHARS, decodeListCursor, encodeListCursor, type ListCursor } from './list-cursor';

const cursorArb = fc.record({
  creationDate: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  keyId: fc.stringMatching(KEY_ID_PATTERN),
});

const encodeText = (text: string): string => Buffer.from(text, 'latin1').toString('base64url');

describe('list cursor', () => {
  it('decodes what it encodes, in at most LIST_CURSOR_MAX_CHARS URL-safe characters', () => {
    fc.assert(
      fc.property(cursorArb, (cursor: ListCursor) => {
        const marker = encodeListCursor(cursor);
        expect(marker).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(marker.length).toBeLessThanOrEqual(LIST_CURSOR_MAX_CHARS);
        expect(decodeListCursor(marker)).toEqual(cursor);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['too long', 'A'.repeat(LIST_CURSOR_MAX_CHARS + 1)],
    ['no separator', encodeText(`123${randomUUID()}`)],
    ['a date with a leading zero', encodeText(`0123:${randomUUID()}`)],
    ['a negative date', encodeText(`-1:${randomUUID()}`)],
    ['a date beyond safe integers', encodeText(`9007199254740993:${randomUUID()}`)],
    ['an upper-case key ID', encodeText(`1:${randomUUID().toUpperCase()}`)],
    ['trailing text', encodeText(`1:${randomUUID()}x`)],
  ])('rejects a marker with %s', (_name, marker) => {
    expect(decodeListCursor(marker)).toBeUndefined();
  });

  it('rejects arbitrary text that is not a cursor it made', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const decoded = decodeListCursor(text);
        if (decoded !== undefined) expect(encodeListCursor(decoded)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
