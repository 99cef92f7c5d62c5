import fc from 'fast-check';
import { bytesToHex, dataKeyBytes, hexToBytes } from '../src';

describe('hex helpers', () => {
  it('bytes → hex → bytes is the identity, and hex is upper case (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (bytes) => {
        const hex = bytesToHex(bytes);
        return /^[0-9A-F]*$/.test(hex) && hex.length === bytes.length * 2 && Buffer.from(hexToBytes(hex)).equals(Buffer.from(bytes));
      }),
    );
  });

  it('accepts lower case too', () => {
    expect(Array.from(hexToBytes('00ff7a'))).toEqual([0, 255, 122]);
  });

  it.each(['0', 'ABC', 'zz', '0x00', '00 11', '١٢'])('rejects %j rather than guessing', (bad) => {
    expect(() => hexToBytes(bad)).toThrow(TypeError);
  });

  it('dataKeyBytes decodes a create-datakey response', () => {
    const decoded = dataKeyBytes({ key_id: 'k', plain_text: 'A1B2', cipher_text: '0200FF' });
    expect(decoded.keyId).toBe('k');
    expect(Array.from(decoded.plaintext)).toEqual([0xa1, 0xb2]);
    expect(Array.from(decoded.ciphertext)).toEqual([2, 0, 255]);
  });
});
