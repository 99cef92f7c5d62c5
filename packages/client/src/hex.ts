/** The API carries key bytes as upper-case hex; these turn them into bytes and back. */

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of a hex string (either case). Throws on odd length or a non-hex character rather than guessing. */
export function hexToBytes(hex: string): Uint8Array {
  if (!HEX.test(hex)) throw new TypeError('expected an even-length hex string');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Upper-case hex of `bytes`, as the API writes it. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex.toUpperCase();
}

/** A data key as bytes: use `plaintext`, then `plaintext.fill(0)`; store `ciphertext` beside the data. */
export interface DataKeyBytes {
  readonly keyId: string;
  readonly plaintext: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Decodes a `create-datakey` response's hex fields. */
export function dataKeyBytes(response: { key_id: string; plain_text: string; cipher_text: string }): DataKeyBytes {
  return { keyId: response.key_id, plaintext: hexToBytes(response.plain_text), ciphertext: hexToBytes(response.cipher_text) };
}
