import { KmsError } from '../errors';
import {
  DATAKEY_MAX_BITS,
  DATAKEY_MAX_BYTES,
  DATAKEY_MIN_BITS,
  DATAKEY_MIN_BYTES,
  datakeyBytesOfBits,
  isDatakeyByteLength,
} from './datakey-length';

function outcomeOf(bits: number): number | string {
  try {
    return datakeyBytesOfBits(bits);
  } catch (error) {
    return (error as KmsError).code;
  }
}

describe('datakeyBytesOfBits', () => {
  it('accepts exactly the multiples of 8 from 8 to 8192, as bytes; KMS.1901 outside, KMS.1903 between', () => {
    for (let bits = -16; bits <= 10_000; bits += 1) {
      const expected = bits < 8 || bits > 8192 ? 'KMS.1901' : bits % 8 !== 0 ? 'KMS.1903' : bits / 8;
      if (outcomeOf(bits) !== expected) throw new Error(`${bits} bits: expected ${expected}, got ${outcomeOf(bits)}`);
    }
  });

  it.each([Number.NaN, Infinity, -Infinity, 512.5, 2 ** 53 + 8])('answers %p with KMS.1901', (bits) => {
    expect(outcomeOf(bits)).toBe('KMS.1901');
  });

  it('agrees with the byte limits', () => {
    expect(datakeyBytesOfBits(DATAKEY_MIN_BITS)).toBe(DATAKEY_MIN_BYTES);
    expect(datakeyBytesOfBits(DATAKEY_MAX_BITS)).toBe(DATAKEY_MAX_BYTES);
  });
});

describe('isDatakeyByteLength', () => {
  it('holds exactly for whole numbers 1 to 1024', () => {
    for (let bytes = -2; bytes <= 1100; bytes += 1) expect(isDatakeyByteLength(bytes)).toBe(bytes >= 1 && bytes <= 1024);
    for (const odd of [Number.NaN, 1.5, Infinity]) expect(isDatakeyByteLength(odd)).toBe(false);
  });
});
