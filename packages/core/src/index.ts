export { KMS_ERRORS, KmsError, isKmsErrorCode, type KmsErrorCode, type KmsErrorDefinition } from './errors';
export { RootKey, WRAPPED_MATERIAL_FORMAT, wrappingRootKeyId, type KeyMaterialOwner } from './crypto/root-key';
export { RootKeyRing, type UnwrapFailure } from './crypto/root-key-ring';
export { loadOrCreateRootKeyFile, loadRootKeyFile } from './root-key-file/root-key-file';
export { rewrapAllKeys, type RewrapOptions, type RewrapProgress, type RewrapReport } from './service/root-key-rotation';
export { type RandomBytes } from './crypto/aes-gcm';
export { encodeEncryptionContext, type EncryptionContext } from './ciphertext/encryption-context';
export { decodeDatakeyBlob, encodeDatakeyBlob, type DatakeyBlob } from './ciphertext/datakey-blob';
export { KeyState, type KeyOrigin, type KeyRecord, type Scope } from './keys/key-record';
export { parseKeyReference, type KeyReference } from './keys/key-reference';
export type { InsertKeyConditions, InsertKeyResult, KeyStore, ListKeysPage, ListKeysQuery } from './store/key-store';
export { MemoryKeyStore } from './store/memory-key-store';
export { SqliteKeyStore } from './store/sqlite-key-store';
export { backupSqliteStore, type SqliteBackupResult } from './store/sqlite-backup';
export { PostgresKeyStore, type PostgresKeyStoreOptions } from './store/postgres-key-store';
export { isPostgresUrl, maskPostgresUrl, maskUrlPasswordsInText, type PostgresUrl } from './store/postgres-url';
export { ACTIVE_ROOT_KEY_META, RETIRING_ROOT_KEY_META, readActiveRootKeyId } from './service/root-key-state';
export {
  DATAKEY_MAX_BITS,
  DATAKEY_MIN_BITS,
  DEFAULT_MAX_KEYS_PER_PROJECT,
  ENCRYPTION_CONTEXT_MAX_CHARS,
  KmsService,
  LIST_KEYS_MAX_LIMIT,
  datakeyAad,
  encodeListMarker,
  parseDatakeyLength,
  type CreateDataKeyInput,
  type CreateKeyInput,
  type CreatedDataKey,
  type CreatedKey,
  type DecryptDataKeyInput,
  type EncryptDataKeyInput,
  type KmsServiceOptions,
  type ListKeysInput,
  type ListKeysResult,
} from './service/kms-service';
