import { KmsError } from '../errors';
import {
  CMK_KEY_SPEC,
  CMK_KEY_USAGE,
  LIST_KEYS_KEY_SPECS,
  checkCmkKeySpec,
  checkCmkKeyUsage,
  checkKeystoreId,
  isListKeysKeySpec,
  keySpecFilterMatchesCmks,
} from './key-spec';

function messageOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(KmsError);
    expect((error as KmsError).code).toBe('KMS.0308');
    return (error as KmsError).message;
  }
}

describe('create-key key_spec, key_usage and keystore_id', () => {
  it('accepts an absent key_spec and AES_256; refuses every other documented spec naming AES_256', () => {
    expect(messageOf(() => checkCmkKeySpec(undefined))).toBeUndefined();
    expect(messageOf(() => checkCmkKeySpec(CMK_KEY_SPEC))).toBeUndefined();
    for (const spec of [...LIST_KEYS_KEY_SPECS.filter((s) => s !== 'AES_256'), 'aes_256', '']) {
      expect(messageOf(() => checkCmkKeySpec(spec))).toBe('Unsupported key_spec: OpenKMS makes only AES_256 keys.');
    }
  });

  it('accepts an absent key_usage and ENCRYPT_DECRYPT; refuses SIGN_VERIFY and others naming ENCRYPT_DECRYPT', () => {
    expect(messageOf(() => checkCmkKeyUsage(undefined))).toBeUndefined();
    expect(messageOf(() => checkCmkKeyUsage(CMK_KEY_USAGE))).toBeUndefined();
    for (const usage of ['SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'encrypt_decrypt', '']) {
      expect(messageOf(() => checkCmkKeyUsage(usage))).toBe('Unsupported key_usage: OpenKMS keys are ENCRYPT_DECRYPT only.');
    }
  });

  it('refuses any keystore_id, even empty, naming the field', () => {
    expect(messageOf(() => checkKeystoreId(undefined))).toBeUndefined();
    for (const id of ['0', '', 'default', '0d0466b0-e727-4d9c-b35d-f84bb474a37f']) {
      expect(messageOf(() => checkKeystoreId(id))).toMatch(/^Unsupported keystore_id: /);
    }
  });
});

describe('list-keys key_spec filter', () => {
  it('knows every documented spec and ALL, nothing else', () => {
    for (const spec of LIST_KEYS_KEY_SPECS) expect(isListKeysKeySpec(spec)).toBe(true);
    for (const spec of ['', 'all', 'AES_128', 'toString']) expect(isListKeysKeySpec(spec)).toBe(false);
  });

  it('matches OpenKMS keys only for no filter, ALL and AES_256', () => {
    const matching = LIST_KEYS_KEY_SPECS.filter((spec) => keySpecFilterMatchesCmks(spec));
    expect(matching).toEqual(['AES_256', 'ALL']);
    expect(keySpecFilterMatchesCmks(undefined)).toBe(true);
  });
});
