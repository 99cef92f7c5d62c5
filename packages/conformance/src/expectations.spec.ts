import { parseExpectations } from './expectations';

const KNOWN = new Set(['CK-A', 'CK-B']);

describe('parseExpectations', () => {
  it('reads the short and the long form, and ignores $comment', () => {
    const parsed = parseExpectations(
      JSON.stringify({ $comment: 'known deviations', 'CK-A': 'skip', 'CK-B': { expect: 'fail', reason: 'bug 7' } }),
      KNOWN,
    );
    expect([...parsed]).toEqual([
      ['CK-A', { expect: 'skip', reason: '' }],
      ['CK-B', { expect: 'fail', reason: 'bug 7' }],
    ]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /expected an object/],
    ['an unknown check ID', '{"CK-C":"fail"}', /unknown check ID CK-C/],
    ['an unknown verdict', '{"CK-A":"pass"}', /must be "fail" or "skip"/],
  ])('rejects %s', (_label, text, message) => {
    expect(() => parseExpectations(text, KNOWN)).toThrow(message);
  });
});
