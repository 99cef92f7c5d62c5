import { KmsError } from '../errors';

/**
 * The current API revision's key specs and usages (official SDK models `CreateKeyRequestBody`,
 * `CreateDatakeyRequestBody`, `ListKeysRequestBody`; API reference "Creating a CMK",
 * "Creating a DEK"), and the part of them OpenKMS makes. Every OpenKMS key is a 256-bit AES key
 * for encryption, so its spec and usage are fixed and not stored; anything else is refused with
 * a message that names the field and what is supported, never silently ignored.
 */

/** The one spec OpenKMS makes for a CMK: create-key's `key_spec` default. */
export const CMK_KEY_SPEC = 'AES_256';
/** The one usage of an OpenKMS CMK: create-key's `key_usage` default for symmetric keys. */
export const CMK_KEY_USAGE = 'ENCRYPT_DECRYPT';

/**
 * Every CMK spec the documents name (the SDK's and API reference's enumerations, the newer
 * HMAC and curve specs included) and list-keys' `ALL`: the values list-keys accepts as a filter.
 */
export const LIST_KEYS_KEY_SPECS = [
  'AES_256',
  'SM4',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_P256',
  'EC_P384',
  'SECP256K1',
  'SM2',
  'ED25519',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'HMAC_SM3',
  'ALL',
] as const;
export type ListKeysKeySpec = (typeof LIST_KEYS_KEY_SPECS)[number];

/** create-datakey's `key_spec` values and the data key bits each means (API reference "Creating a DEK"). */
export const DATAKEY_KEY_SPEC_BITS: Readonly<Record<string, number>> = { AES_256: 256, AES_128: 128 };

/** create-key's `key_spec`: absent or AES_256; anything else KMS.0308 naming the supported value. */
export function checkCmkKeySpec(keySpec: string | undefined): void {
  if (keySpec !== undefined && keySpec !== CMK_KEY_SPEC) {
    throw new KmsError('KMS.0308', `Unsupported key_spec: OpenKMS makes only ${CMK_KEY_SPEC} keys.`);
  }
}

/** create-key's `key_usage`: absent or ENCRYPT_DECRYPT; anything else KMS.0308 naming the supported value. */
export function checkCmkKeyUsage(keyUsage: string | undefined): void {
  if (keyUsage !== undefined && keyUsage !== CMK_KEY_USAGE) {
    throw new KmsError('KMS.0308', `Unsupported key_usage: OpenKMS keys are ${CMK_KEY_USAGE} only.`);
  }
}

/**
 * create-key's `keystore_id`: the documents say an absent one means "the KMS default keystore"
 * but never name that keystore's ID, and OpenKMS has no other; so any value is KMS.0308.
 */
export function checkKeystoreId(keystoreId: string | undefined): void {
  if (keystoreId !== undefined) {
    throw new KmsError('KMS.0308', 'Unsupported keystore_id: OpenKMS has only the default keystore; leave keystore_id out.');
  }
}

/** Whether list-keys' `key_spec` filter can match an OpenKMS key (every key is AES_256). */
export function keySpecFilterMatchesCmks(keySpec: ListKeysKeySpec | undefined): boolean {
  return keySpec === undefined || keySpec === 'ALL' || keySpec === CMK_KEY_SPEC;
}

export function isListKeysKeySpec(value: string): value is ListKeysKeySpec {
  return (LIST_KEYS_KEY_SPECS as readonly string[]).includes(value);
}
