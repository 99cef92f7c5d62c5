// The package's public API: what the other OpenKMS packages use, nothing more.
export { KMS_ERRORS, KmsError, StoreUnavailableError, isKmsErrorCode, type KmsErrorCode, type KmsErrorDefinition } from './errors';
export { ROOT_KEY_MIN_DISTINCT_BYTES, RootKey, wrappingRootKeyId, type KeyMaterialOwner } from './crypto/root-key';
export { loadOrCreateRootKeyFile, loadRootKeyFile } from './root-key-file/root-key-file';
export { GRANTS_PER_KEY_QUOTA, QUOTA_RESOURCE_TYPES, type QuotaResource, type QuotaResourceType } from './service/quotas';
export { RANDOM_DATA_MAX_BITS, RANDOM_DATA_MIN_BITS } from './service/random-data';
export { readActiveRootKeyId } from './service/root-key-state';
export { rewrapAllKeys, type RewrapOptions, type RewrapProgress, type RewrapReport } from './service/root-key-rotation';
export { type RandomBytes } from './crypto/aes-gcm';
export { type EncryptionContext } from './ciphertext/encryption-context';
export { encodeDatakeyBlob, type DatakeyBlob } from './ciphertext/datakey-blob';
export { datakeyAad } from './ciphertext/datakey-seal';
export { decodeDataCiphertext, openData, sealData } from './ciphertext/data-ciphertext';
export { KEY_ID_PATTERN } from './keys/key-id';
export { KEY_ALIAS_PATTERN, KEY_DESCRIPTION_MAX_CHARS } from './keys/key-alias';
export { LIST_KEYS_KEY_SPECS, isListKeysKeySpec, type ListKeysKeySpec } from './keys/key-spec';
export { KeyState, isKeyState, type KeyOrigin, type KeyRecord, type Scope } from './keys/key-record';
export { decodeListCursor, encodeListCursor, type ListCursor } from './keys/list-cursor';
export type {
  InsertKeyConditions,
  InsertKeyResult,
  KeyStateChange,
  KeyStateCounts,
  KeyStore,
  ListKeysPage,
  ListKeysQuery,
} from './store/key-store';
export {
  MATCH_KEYS,
  MAX_TAGS_PER_KEY,
  RESOURCE_INSTANCES_DEFAULT_LIMIT,
  RESOURCE_INSTANCES_MAX_LIMIT,
  TAG_KEY_MAX_CHARS,
  TAG_VALUE_MAX_CHARS,
  type KeyTag,
  type TagFilter,
  type TagFilterCondition,
} from './keys/key-tags';
export type { KeyTagChange, KeyTagChangeResult, KeyTagStore, TaggedKeyRow } from './store/key-tag-store';
export { KeyTagOperations, type FindKeysByTagsInput, type FoundKeys, type TaggedKey, type BatchTag } from './service/key-tag-operations';
export { KEY_OPERATIONS, KEY_STATE_TABLE, stateRule, type KeyOperation, type StateRule } from './keys/key-state-machine';
export { DAY_MS, PENDING_DAYS_MAX, PENDING_DAYS_MIN, PURGE_BATCH_SIZE } from './service/key-lifecycle';
export {
  DEFAULT_ROTATION_INTERVAL_DAYS,
  ROTATION_INTERVAL_MAX_DAYS,
  ROTATION_INTERVAL_MIN_DAYS,
  type KeyRotationStatus,
} from './service/key-rotation';
export {
  ACCESS_KEY_ID_PATTERN,
  CREDENTIAL_NAME_PATTERN,
  DOMAIN_ID_PATTERN,
  generateAccessKeyId,
  generateSecretKey,
  PROJECT_ID_PATTERN,
  SECRET_KEY_PATTERN,
  type AccessKeyRecord,
  type AccessKeySummary,
} from './credentials/access-key';
export type { AccessKeyStore, InsertAccessKeyResult } from './credentials/access-key-store';
export {
  AccessKeyService,
  type AccessKeyServiceOptions,
  type CreatedAccessKey,
  type LiveAccessKey,
  type NewAccessKey,
} from './credentials/access-key-service';
export { MemoryKeyStore } from './store/memory-key-store';
export { SqliteKeyStore } from './store/sqlite-key-store';
export { backupSqliteStore, type SqliteBackupResult } from './store/sqlite-backup';
export { PostgresKeyStore, type PostgresKeyStoreOptions } from './store/postgres-key-store';
export { asStoreUnavailable, storeUnavailableReason } from './store/store-unavailable';
export { isPostgresUrl, maskPostgresUrl, maskUrlPasswordsInText, type PostgresUrl } from './store/postgres-url';
export {
  KmsService,
  type CreateDataKeyInput,
  type CreateKeyInput,
  type CreatedDataKey,
  type CreatedKey,
  type DecryptDataInput,
  type DecryptDataKeyInput,
  type EncryptDataInput,
  type EncryptDataKeyInput,
  type KmsServiceOptions,
  type ListKeysInput,
  type ListKeysResult,
  type SeedKeyInput,
  SeedConflictError,
} from './service/kms-service';
