import { KmsError } from '../errors';
import {
  DATAKEY_MAX_BITS,
  DATAKEY_MAX_BYTES,
  DATAKEY_MIN_BITS,
  DATAKEY_MIN_BYTES,
  DEFAULT_DATAKEY_BITS,
  datakeyBitsOf,
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

describe("datakeyBitsOf (datakey_length and the current revision's key_spec)", () => {
  it('makes 256 bits when neither is given, as the API reference says', () => {
    expect(DEFAULT_DATAKEY_BITS).toBe(256);
    expect(datakeyBitsOf(undefined, undefined)).toBe(256);
  });

  it('maps AES_256 to 256 bits and AES_128 to 128 bits', () => {
    expect(datakeyBitsOf(undefined, 'AES_256')).toBe(256);
    expect(datakeyBitsOf(undefined, 'AES_128')).toBe(128);
  });

  it('lets datakey_length win over key_spec, whatever key_spec says', () => {
    expect(datakeyBitsOf(512, 'AES_128')).toBe(512);
    expect(datakeyBitsOf(64, 'AES_256')).toBe(64);
    expect(datakeyBitsOf(8, 'SM4')).toBe(8);
  });

  it.each(['SM4', 'HMAC_256', 'aes_256', 'AES_192', '', 'toString', '__proto__'])(
    'refuses key_spec %p with KMS.0308 naming the supported ones',
    (spec) => {
      let caught: unknown;
      try {
        datakeyBitsOf(undefined, spec);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(KmsError);
      expect((caught as KmsError).code).toBe('KMS.0308');
      expect((caught as KmsError).message).toBe('Unsupported key_spec: use AES_256 or AES_128, or datakey_length.');
    },
  );
});
