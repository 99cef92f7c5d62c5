import fc from 'fast-check';
import { KEY_ID_PATTERN } from './key-id';
import { KEY_REFERENCE_PATTERN, parseKeyReference, type KeyReference } from './key-reference';

const KEY_ID = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';

/** Writes a reference back in its text form. */
function format(reference: KeyReference): string {
  switch (reference.kind) {
    case 'id':
      return reference.keyId;
    case 'alias':
      return `alias/${reference.alias}`;
    case 'urn':
      return `kms:${reference.region}:${reference.domainId}:alias:${reference.alias}`;
  }
}

describe('parseKeyReference: key IDs', () => {
  it.each([KEY_ID, 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e', '00000000-0000-0000-0000-000000000000', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'])(
    'parses %s as an ID',
    (text) => {
      expect(parseKeyReference(text)).toEqual({ kind: 'id', keyId: text });
    },
  );

  it.each([
    ['upper case', KEY_ID.toUpperCase()],
    ['one upper-case letter', `0D${KEY_ID.slice(2)}`],
    ['too short', KEY_ID.slice(1)],
    ['too long', `${KEY_ID}0`],
    ['no hyphens', KEY_ID.replace(/-/g, '')],
    ['hyphen moved', '0d0466b0e-727-4d9c-b35d-f84bb474a37f'],
    ['braces', `{${KEY_ID}}`],
    ['leading space', ` ${KEY_ID}`],
    ['trailing newline', `${KEY_ID}\n`],
    ['non-ASCII letter', `é${KEY_ID.slice(1)}`],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseKeyReference(text)).toBeUndefined();
  });
});

describe('parseKeyReference: alias/NAME', () => {
  it.each([
    ['alias/test', 'test'],
    ['alias/app/orders', 'app/orders'],
    ['alias/a:b_c-D9', 'a:b_c-D9'],
    ['alias/alias/x', 'alias/x'],
    ['alias/default', 'default'],
    // The /default reservation is a create-key rule; resolving such an alias simply finds nothing.
    ['alias/x/default', 'x/default'],
    [`alias/${'a'.repeat(255)}`, 'a'.repeat(255)],
    [`alias/${KEY_ID}`, KEY_ID],
  ])('parses %s', (text, alias) => {
    expect(parseKeyReference(text)).toEqual({ kind: 'alias', alias });
  });

  it.each([
    ['empty alias', 'alias/'],
    ['256 characters', `alias/${'a'.repeat(256)}`],
    ['space', 'alias/app orders'],
    ['dot', 'alias/app.orders'],
    ['non-ASCII', 'alias/café'],
    ['upper-case prefix', 'Alias/test'],
    ['no slash', 'aliastest'],
    ['bare name', 'test'],
    ['trailing newline', 'alias/test\n'],
  ])('rejects %s', (_name, text) => {
    expect(parseKeyReference(text)).toBeUndefined();
  });
});

describe('parseKeyReference: alias URN', () => {
  it.each([
    ['kms:eu-de-ring0:3ba44455500dd43127:alias:4555', { region: 'eu-de-ring0', domainId: '3ba44455500dd43127', alias: '4555' }],
    [
      'kms:local-1:be34df18ddd7d205c328aa86e086beff:alias:app/orders',
      { region: 'local-1', domainId: 'be34df18ddd7d205c328aa86e086beff', alias: 'app/orders' },
    ],
    ['kms:r_1:D:alias:a:b', { region: 'r_1', domainId: 'D', alias: 'a:b' }],
    [
      `kms:${'r'.repeat(64)}:${'d'.repeat(64)}:alias:${'a'.repeat(255)}`,
      { region: 'r'.repeat(64), domainId: 'd'.repeat(64), alias: 'a'.repeat(255) },
    ],
  ])('parses %s', (text, parts) => {
    expect(parseKeyReference(text)).toEqual({ kind: 'urn', ...parts });
  });

  it.each([
    ['empty region', 'kms::d1:alias:x'],
    ['empty domain', 'kms:r1::alias:x'],
    ['empty alias', 'kms:r1:d1:alias:'],
    ['65-character region', `kms:${'r'.repeat(65)}:d1:alias:x`],
    ['65-character domain', `kms:r1:${'d'.repeat(65)}:alias:x`],
    ['256-character alias', `kms:r1:d1:alias:${'a'.repeat(256)}`],
    ['hyphen in the domain', 'kms:r1:d-1:alias:x'],
    ['dot in the region', 'kms:eu.de:d1:alias:x'],
    ['space in the alias', 'kms:r1:d1:alias:a b'],
    ['missing alias marker', 'kms:r1:d1:x'],
    ['other resource type', 'kms:r1:d1:key:x'],
    ['upper-case scheme', 'KMS:r1:d1:alias:x'],
    ['other scheme', 'urn:r1:d1:alias:x'],
    ['an alias/ inside', 'kms:r1:d1:alias/x'],
  ])('rejects %s', (_name, text) => {
    expect(parseKeyReference(text)).toBeUndefined();
  });
});

describe('parseKeyReference: properties', () => {
  it('parses every lower-case UUID-shaped string as an ID', () => {
    fc.assert(
      fc.property(fc.stringMatching(KEY_ID_PATTERN), (text) => {
        expect(parseKeyReference(text)).toEqual({ kind: 'id', keyId: text });
      }),
      { numRuns: 100 },
    );
  });

  it('parses every valid alias name in both alias forms', () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9:/_-]{1,255}$/);
    fc.assert(
      fc.property(name, (alias) => {
        expect(parseKeyReference(`alias/${alias}`)).toEqual({ kind: 'alias', alias });
        expect(parseKeyReference(`kms:reg-1:abc123:alias:${alias}`)).toEqual({ kind: 'urn', region: 'reg-1', domainId: 'abc123', alias });
      }),
      { numRuns: 100 },
    );
  });

  it('whatever it accepts, it reads back exactly (no part is dropped or trimmed)', () => {
    const pieces = fc.constantFrom('kms:', 'alias/', ':alias:', 'r-1', 'abc', 'x/y', ':', '-', 'A', ' ', '\n', 'é', KEY_ID);
    const candidate = fc.oneof(
      fc.string(),
      fc.array(pieces, { maxLength: 6 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(candidate, (text) => {
        const reference = parseKeyReference(text);
        if (reference) expect(format(reference)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('KEY_REFERENCE_PATTERN', () => {
  it('accepts exactly the texts parseKeyReference parses', () => {
    const near = fc.oneof(
      fc.stringMatching(KEY_REFERENCE_PATTERN),
      fc.string({ maxLength: 80 }),
      fc.stringMatching(KEY_REFERENCE_PATTERN).map((text) => `${text}/default`),
      fc.stringMatching(KEY_REFERENCE_PATTERN).map((text) => text.replace(':', '#')),
    );
    fc.assert(
      fc.property(near, (text) => {
        expect(KEY_REFERENCE_PATTERN.test(text)).toBe(parseKeyReference(text) !== undefined);
      }),
      { numRuns: 500 },
    );
  });
});
