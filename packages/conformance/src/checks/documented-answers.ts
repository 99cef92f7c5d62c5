/**
 * The answers a reasonable reading of the API documents allows, per rule, as `STATUS CODE`.
 * The codes come from the public error-code table (KMS docs: errors): where a field has its own code
 * (KMS.1101 key_alias, KMS.1103 key_description, KMS.0206 sequence, KMS.1901 datakey_length, …)
 * the generic KMS.0308 "invalid parameter" is an equally fair reading, so both are accepted. The
 * seed documents fix 400 for bad parameters and 403 for failed authentication (创建密钥, status
 * codes); they fix no code, so OpenKMS's exact code is held only at level REFERENCE.
 */
export const DOCUMENTED = {
  /** key_alias empty, too long, bad characters, ending in /default, wrong JSON type. */
  aliasInvalid: ['400 KMS.1101', '400 KMS.0308'],
  /** An empty or null key_alias may also be read as a missing mandatory parameter. */
  aliasEmpty: ['400 KMS.1101', '400 KMS.0308', '400 KMS.0204'],
  /** A reserved /default alias: invalid, or "not allowed on a Default Master Key". */
  aliasReserved: ['400 KMS.1101', '400 KMS.0308', '400 KMS.0211'],
  missingParameter: ['400 KMS.0204'],
  descriptionInvalid: ['400 KMS.1103', '400 KMS.0308'],
  parameterInvalid: ['400 KMS.0308'],
  sequenceInvalid: ['400 KMS.0206', '400 KMS.0308'],
  /** A JSON body that is not an object: invalid parameter, not the object the API takes, or nothing in it. */
  bodyNotObject: ['400 KMS.0308', '400 KMS.0202', '400 KMS.0204'],
  malformedJson: ['400 KMS.0202'],
  /** datakey_length out of range, not a decimal, not a multiple of 8 (or "must be 512" of the older revision). */
  datakeyLengthInvalid: ['400 KMS.1901', '400 KMS.1903', '400 KMS.2001', '400 KMS.0308'],
  datakeyLengthEmpty: ['400 KMS.1901', '400 KMS.1903', '400 KMS.2001', '400 KMS.0308', '400 KMS.0204'],
  /** A key_id of no valid form: invalid key ID, or looked up and not found. */
  keyIdInvalid: ['400 KMS.0205', '400 KMS.0308', '404 KMS.0207'],
  keyIdEmpty: ['400 KMS.0205', '400 KMS.0308', '400 KMS.0204', '404 KMS.0207'],
  contextInvalid: ['400 KMS.0208', '400 KMS.0308'],
  /** "request message too long"; a 1 MiB description also breaks the description rule. */
  bodyTooLarge: ['400 KMS.0203', '413 KMS.0203', '400 KMS.1103', '400 KMS.0308'],
  /** A body not sent as application/json (Content-Type is mandatory): refused, with any KMS code. */
  contentType: ['415 KMS.*', '400 KMS.*'],
  /** A path that is no operation: "invalid request URL" (the table says 400; 404 is the HTTP reading). */
  noSuchApi: ['404 KMS.0201', '400 KMS.0201'],
  methodNotAllowed: ['405 KMS.0215'],
  tokenMissing: ['403 KMS.0301'],
  tokenBlank: ['403 KMS.0301', '403 KMS.0302'],
  tokenInvalid: ['403 KMS.0302'],
  /** The token's project is not the URL's: project mismatch, or no access permission. */
  tokenWrongProject: ['403 KMS.0305', '403 KMS.0321', '403 KMS.0306', '403 KMS.0307'],
  duplicateAlias: ['400 KMS.1104'],
  keyNotFound: ['404 KMS.0207'],
  /** Another project's or domain's key: not found, or no access permission. */
  foreignKey: ['404 KMS.0207', '403 KMS.0306', '403 KMS.0307'],
  /** A URN naming another region or domain: not found, an invalid key ID, or no access. */
  foreignUrn: ['404 KMS.0207', '400 KMS.0205', '403 KMS.0306', '403 KMS.0307'],
  /** A key without material (origin external, pending import) asked for a data key: refused with a 400. */
  keyNotUsable: ['400 KMS.*'],
  /** A damaged or foreign cipher_text: invalid, failed verification, or (key ID bytes hit) another key. */
  cipherRefused: ['400 KMS.2201', '400 KMS.2203', '400 KMS.0308', '400 KMS.0205', '404 KMS.0207'],
  contextMismatch: ['400 KMS.2203', '400 KMS.2201'],
  digestMismatch: ['400 KMS.2103', '400 KMS.2101'],
} as const;
