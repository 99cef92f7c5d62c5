import { KmsError } from '../errors';

/** Most characters in an alias. */
export const KEY_ALIAS_MAX_CHARS = 255;
/** Most characters in a key's description (Unicode code points, as JSON Schema counts them). */
export const KEY_DESCRIPTION_MAX_CHARS = 255;
/** Ends the aliases of Default Master Keys, which only the service itself may create. */
export const RESERVED_ALIAS_SUFFIX = '/default';

/** An alias as references name it (`alias/NAME`, alias URNs): reserved aliases included. */
export const ALIAS_NAME_SOURCE = `[a-zA-Z0-9:/_-]{1,${KEY_ALIAS_MAX_CHARS}}`;

/** create-key's `key_alias`: an alias name that does not end in the reserved suffix (KMS.1101). */
export const KEY_ALIAS_PATTERN = new RegExp(`^(?!.*${RESERVED_ALIAS_SUFFIX}$)${ALIAS_NAME_SOURCE}$`);

/** A `key_alias` a customer may give a key (create-key, update-key-alias); else KMS.1101. */
export function checkKeyAlias(keyAlias: string): string {
  if (typeof keyAlias !== 'string' || !KEY_ALIAS_PATTERN.test(keyAlias)) throw new KmsError('KMS.1101');
  return keyAlias;
}

/** A `key_description` (create-key, update-key-description): at most 255 code points; else KMS.1103. */
export function checkKeyDescription(keyDescription: string): string {
  if (typeof keyDescription !== 'string' || [...keyDescription].length > KEY_DESCRIPTION_MAX_CHARS) throw new KmsError('KMS.1103');
  return keyDescription;
}
