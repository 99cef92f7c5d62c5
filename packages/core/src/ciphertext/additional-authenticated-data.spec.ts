import { KmsError } from '../errors';
import { ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES, checkAdditionalAuthenticatedData } from './additional-authenticated-data';

function outcome(aad: string | undefined): string {
  try {
    return `ok:${checkAdditionalAuthenticatedData(aad)}`;
  } catch (error) {
    expect(error).toBeInstanceOf(KmsError);
    return `${(error as KmsError).code} ${(error as KmsError).message}`;
  }
}

describe('checkAdditionalAuthenticatedData', () => {
  it('treats an absent value as the empty string', () => {
    expect(outcome(undefined)).toBe('ok:');
    expect(outcome('')).toBe('ok:');
  });

  it('counts UTF-8 bytes, not characters: 128 bytes pass, 129 do not', () => {
    expect(ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES).toBe(128);
    expect(outcome('a'.repeat(128))).toBe(`ok:${'a'.repeat(128)}`);
    expect(outcome('\u00E4'.repeat(64))).toBe(`ok:${'\u00E4'.repeat(64)}`);
    const tooLong = 'KMS.0308 Invalid additional_authenticated_data: at most 128 bytes when encoded as UTF-8.';
    expect(outcome('a'.repeat(129))).toBe(tooLong);
    // 64 two-byte characters and one more byte: 65 characters, 129 bytes.
    expect(outcome(`${'\u00E4'.repeat(64)}a`)).toBe(tooLong);
  });

  it.each(['\uD800', 'a\uDC00', '\uDC00\uD800'])('refuses a lone surrogate (%#) with KMS.0308 naming the field', (aad) => {
    expect(outcome(aad)).toBe('KMS.0308 Invalid additional_authenticated_data: it must be a string of Unicode text.');
  });

  it('accepts a surrogate pair (one 4-byte character)', () => {
    expect(outcome('\u{1F600}'.repeat(32))).toBe(`ok:${'\u{1F600}'.repeat(32)}`);
    expect(outcome('\u{1F600}'.repeat(33))).toMatch(/^KMS\.0308/);
  });
});
