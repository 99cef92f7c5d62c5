/**
 * A customer master key's ID: a 36-character lower-case UUID (the spec's `KeyId` schema, pinned by
 * spec-limits.spec.ts). The one copy of this pattern: everything that checks a key ID uses it.
 */
export const KEY_ID_PATTERN = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
