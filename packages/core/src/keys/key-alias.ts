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
