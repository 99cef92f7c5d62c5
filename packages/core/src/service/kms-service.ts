import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AES_KEY_BYTES, type RandomBytes, systemRandomBytes } from '../crypto/aes-gcm';
import type { RootKey } from '../crypto/root-key';
import { RootKeyRing } from '../crypto/root-key-ring';
import { decodeDataCiphertext, openData, sealData } from '../ciphertext/data-ciphertext';
import { decodeDatakeyBlob } from '../ciphertext/datakey-blob';
import { openDataKey, sealDataKey } from '../ciphertext/datakey-seal';
import { checkAdditionalAuthenticatedData } from '../ciphertext/additional-authenticated-data';
import { checkEncryptionContext, type EncryptionContext } from '../ciphertext/encryption-context';
import { KmsError, StoreUnavailableError } from '../errors';
import { checkKeyAlias, checkKeyDescription, KEY_ALIAS_PATTERN, KEY_DESCRIPTION_MAX_CHARS } from '../keys/key-alias';
import { KEY_ORIGINS, KeyState, type KeyOrigin, type KeyRecord, type Scope } from '../keys/key-record';
import { KEY_ID_PATTERN } from '../keys/key-id';
import { parseKeyReference } from '../keys/key-reference';
import { checkCmkKeySpec, checkCmkKeyUsage, checkKeystoreId, keySpecFilterMatchesCmks, type ListKeysKeySpec } from '../keys/key-spec';
import type { ListCursor } from '../keys/list-cursor';
import type { InsertKeyResult, KeyStore } from '../store/key-store';
import type { KeyOperation } from '../keys/key-state-machine';
import { checkPendingDays, DAY_MS, PENDING_DAYS_MIN, isDueForDeletion, purgeDueKeys, requireState, transitionKey } from './key-lifecycle';
import { DATAKEY_DIGEST_BYTES, datakeyBitsOf, datakeyBytesOfBits, isDatakeyByteLength } from './datakey-length';
import { checkEncryptionAlgorithm, dataPlaintextBytes } from './data-encryption';
import { GRANTS_PER_KEY_QUOTA, type QuotaResource } from './quotas';
import { generateRandomData } from './random-data';
import { KeyTagOperations } from './key-tag-operations';
import { ACTIVE_ROOT_KEY_META, checkRootKeys } from './root-key-state';
import {
  checkRotationInterval,
  newestMaterialVersion,
  requireRotatable,
  ROTATION_BATCH_SIZE,
  rotationStatusOf,
  wrappedMaterialVersion,
  type KeyRotationStatus,
} from './key-rotation';

export const DEFAULT_MAX_KEYS_PER_PROJECT = 1000;

/** decrypt-data's KMS.2203 message (the code's default one speaks of a data key). */
const DATA_NOT_OPENED = 'The data could not be decrypted: wrong key or encryption_context, or cipher_text was altered.';

export interface KmsServiceOptions {
  readonly store: KeyStore;
  /** The root key a new store starts with, and the target of a rotation. */
  readonly rootKey: RootKey;
  /**
   * Older root keys, held to open material still wrapped under them during a rotation. Which
   * held key wraps new keys is the store's choice (its active root key), not this list's.
   */
  readonly previousRootKeys?: readonly RootKey[];
  /** Region name used in alias URNs (`kms:<region>:<domain_id>:alias:<NAME>`). */
  readonly region: string;
  readonly maxKeysPerProject?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
  /** Randomness for nonces and data keys, injectable for test vectors. */
  readonly randomBytes?: RandomBytes;
  /** Key ID generator, injectable for test vectors. */
  readonly newKeyId?: () => string;
  /**
   * The fewest `pending_days` schedule-key-deletion takes: 7, as the API says, unless an operator
   * shortens it for local testing (1 to 7; the server's --dev-min-pending-days).
   */
  readonly minPendingDays?: number;
}

export interface CreateKeyInput {
  readonly keyAlias: string;
  readonly keyDescription?: string;
  readonly origin?: KeyOrigin;
  readonly enterpriseProjectId?: string;
  /** Current revision: only AES_256 (the default) is made; any other value is KMS.0308. */
  readonly keySpec?: string;
  /** Current revision: only ENCRYPT_DECRYPT (the default); any other value is KMS.0308. */
  readonly keyUsage?: string;
  /** Current revision: OpenKMS has only the default keystore; any value is KMS.0308. */
  readonly keystoreId?: string;
}

/** A key of a seed file: fixed key ID, alias, description, state and optionally material. */
export interface SeedKeyInput {
  readonly keyId: string;
  readonly keyAlias: string;
  readonly keyDescription?: string;
  /** Default kms. */
  readonly origin?: KeyOrigin;
  /** Default: enabled for origin kms, pending import for origin external (the only states allowed). */
  readonly keyState?: KeyState;
  /** 32 bytes (origin kms only); fresh random material when absent. Not zeroed here. */
  readonly material?: Buffer;
}

/** A seed key that exists with other attributes or material, or cannot be stored beside the store's keys. */
export class SeedConflictError extends Error {
  override readonly name = 'SeedConflictError';
}

export interface CreatedKey {
  readonly keyId: string;
  readonly domainId: string;
}

export interface CreateDataKeyInput {
  /** Key ID, `alias/NAME`, or alias URN. */
  readonly keyId: string;
  /** Bits of the data key: 8 to 8192 (KMS.1901), a multiple of 8 (KMS.1903). Wins over keySpec. */
  readonly datakeyBits?: number;
  /** AES_256 (256 bits) or AES_128 (128 bits), used when datakeyBits is absent; neither gives 256 bits. */
  readonly keySpec?: string;
  readonly encryptionContext?: EncryptionContext;
  /** Bound like the context; at most 128 UTF-8 bytes (KMS.0308). */
  readonly additionalAuthenticatedData?: string;
}

export interface CreatedDataKey {
  readonly keyId: string;
  readonly plaintext: Buffer;
  readonly ciphertext: Buffer;
}

export interface EncryptDataKeyInput {
  /** Key ID, `alias/NAME` or alias URN. */
  readonly keyId: string;
  /** DEK ‖ SHA-256(DEK), as encrypt-datakey's `plain_text`. */
  readonly plaintextWithDigest: Buffer;
  /** The DEK's length in bytes (`datakey_plain_length`). */
  readonly datakeyBytes: number;
  readonly encryptionContext?: EncryptionContext;
  readonly additionalAuthenticatedData?: string;
}

export interface EncryptDataInput {
  /** Key ID, `alias/NAME` or alias URN. */
  readonly keyId: string;
  /** encrypt-data's `plain_text`: sealed as its UTF-8 bytes, 1 to 4096 (KMS.2101). */
  readonly plaintext: string;
  readonly encryptionContext?: EncryptionContext;
  /** SYMMETRIC_DEFAULT (the default) only; else KMS.0308. */
  readonly encryptionAlgorithm?: string;
}

export interface DecryptDataInput {
  readonly ciphertext: Buffer;
  readonly encryptionContext?: EncryptionContext;
  readonly encryptionAlgorithm?: string;
  /** The CMK the caller says sealed it, resolved like create-datakey's; another key than the ciphertext's is KMS.2203. */
  readonly keyId?: string;
}

export interface ListKeysInput {
  /** Most keys in the page: 1 to LIST_KEYS_MAX_LIMIT (KMS.0308), LIST_KEYS_MAX_LIMIT when absent. */
  readonly limit?: number;
  /** The end of the previous page; the first page when absent. */
  readonly after?: ListCursor;
  /** Only keys in this state. */
  readonly keyState?: KeyState;
  /** Only keys of this spec (`ALL`: any). Every OpenKMS key is AES_256, so another spec matches none. */
  readonly keySpec?: ListKeysKeySpec;
  /** Only keys of this enterprise project (`0` is the default one). */
  readonly enterpriseProjectId?: string;
}

export interface ListKeysResult {
  readonly keys: KeyRecord[];
  readonly truncated: boolean;
  /** Where the next page starts (the last key returned) when `truncated`; undefined otherwise. */
  readonly next: ListCursor | undefined;
  readonly total: number;
}

/** Fewest and most keys list-keys returns in a page; the most is also its default (the default per-project key quota). */
export const LIST_KEYS_MIN_LIMIT = 1;
export const LIST_KEYS_MAX_LIMIT = 1000;

export interface DecryptDataKeyInput {
  readonly ciphertext: Buffer;
  readonly encryptionContext?: EncryptionContext;
  /** The additional authenticated data given when the blob was made ('' or absent when none was). */
  readonly additionalAuthenticatedData?: string;
  /**
   * The CMK the caller says sealed the blob (key ID, `alias/NAME` or alias URN), as in the
   * API's decrypt-datakey: resolved like create-datakey's `key_id` (KMS.0205, KMS.0207); a key
   * other than the blob's is KMS.2203, indistinguishable from a relabelled blob.
   */
  readonly keyId?: string;
  /** The DEK's length in bytes the caller expects (decrypt-datakey's `datakey_cipher_length`); another length is KMS.0308. */
  readonly datakeyBytes?: number;
}

/**
 * The rules of the KMS, independent of HTTP: creating master keys, sealing data keys
 * under them, and opening those again. Every failure is a KmsError with its code.
 */
export class KmsService {
  readonly #store: KeyStore;
  /** The tag operations: show, add, delete, batch, project tags, find keys by tags. */
  readonly tags: KeyTagOperations;
  #rootKeys: RootKeyRing;
  /** The store's active root key as last read: new keys are wrapped under it. */
  #activeRootKeyId: string;
  readonly #region: string;
  readonly #maxKeysPerProject: number;
  readonly #now: () => number;
  readonly #random: RandomBytes;
  readonly #newKeyId: () => string;
  readonly #minPendingDays: number;

  private constructor(options: KmsServiceOptions, rootKeys: RootKeyRing, activeRootKeyId: string) {
    this.#store = options.store;
    this.#rootKeys = rootKeys;
    this.#activeRootKeyId = activeRootKeyId;
    this.#region = options.region;
    this.#maxKeysPerProject = options.maxKeysPerProject ?? DEFAULT_MAX_KEYS_PER_PROJECT;
    this.#now = options.now ?? Date.now;
    this.#random = options.randomBytes ?? systemRandomBytes;
    this.#newKeyId = options.newKeyId ?? randomUUID;
    this.#minPendingDays = options.minPendingDays ?? PENDING_DAYS_MIN;
    this.tags = new KeyTagOperations(options.store, this.#now);
  }

  /**
   * Opens the service over a store. The first start records the root key's check value;
   * later starts without the store's active root key (or, during a rotation, without the
   * retiring one) fail here, before any request is served.
   */
  static async open(options: KmsServiceOptions): Promise<KmsService> {
    const maxKeys = options.maxKeysPerProject ?? DEFAULT_MAX_KEYS_PER_PROJECT;
    // Check options before touching the store.
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error('maxKeysPerProject must be a positive integer');
    const minDays = options.minPendingDays ?? PENDING_DAYS_MIN;
    if (!Number.isSafeInteger(minDays) || minDays < 1 || minDays > PENDING_DAYS_MIN) {
      throw new Error(`minPendingDays must be an integer from 1 to ${PENDING_DAYS_MIN}`);
    }
    const rootKeys = new RootKeyRing([options.rootKey, ...(options.previousRootKeys ?? [])]);
    const { active } = await checkRootKeys(options.store, rootKeys);
    return new KmsService(options, rootKeys, active);
  }

  /**
   * Replaces the root keys this service holds (a server reloading its key files), after the
   * same checks as open(); on failure the keys held before stay in use.
   */
  async replaceRootKeys(rootKey: RootKey, previousRootKeys: readonly RootKey[] = []): Promise<void> {
    const rootKeys = new RootKeyRing([rootKey, ...previousRootKeys]);
    const { active } = await checkRootKeys(this.#store, rootKeys);
    this.#rootKeys = rootKeys;
    this.#activeRootKeyId = active;
  }

  /** Check values of the root keys held, and which of them wraps new keys. */
  get rootKeyIds(): { readonly active: string; readonly held: readonly string[] } {
    return { active: this.#activeRootKeyId, held: this.#rootKeys.ids };
  }

  async createKey(scope: Scope, input: CreateKeyInput): Promise<CreatedKey> {
    checkKeyAlias(input.keyAlias);
    const keyDescription = checkKeyDescription(input.keyDescription ?? '');
    const origin = input.origin ?? 'kms';
    if (!KEY_ORIGINS.includes(origin)) throw new KmsError('KMS.0308', 'Invalid origin: it must be kms or external.');
    checkCmkKeySpec(input.keySpec);
    checkCmkKeyUsage(input.keyUsage);
    checkKeystoreId(input.keystoreId);

    const keyId = this.#newKeyId();
    const owner = { domainId: scope.domainId, projectId: scope.projectId, keyId };
    const material = origin === 'kms' ? randomBytes(AES_KEY_BYTES) : undefined;
    try {
      const record: KeyRecord = {
        ...owner,
        keyAlias: input.keyAlias,
        keyDescription,
        origin,
        keyState: origin === 'kms' ? KeyState.Enabled : KeyState.PendingImport,
        enterpriseProjectId: input.enterpriseProjectId ?? '0',
        creationDate: this.#now(),
        wrappedMaterial: null,
      };
      const result = await this.#insertKey(record, material);
      if (!result.ok) throw new KmsError(result.reason === 'duplicate-alias' ? 'KMS.1104' : 'KMS.1105');
      return { keyId, domainId: scope.domainId };
    } finally {
      material?.fill(0);
    }
  }

  /**
   * Creates a key with a fixed key ID and, optionally, fixed material, for seed files (dev mode,
   * test fixtures): a data key sealed under it in one run opens in any later run seeded alike,
   * whatever the root key. Applying the same seed again changes nothing ('unchanged'); a key
   * that exists with other attributes or material is a SeedConflictError (which never shows material).
   * Only the states the service can reach itself: enabled (origin kms) and pending import (origin external).
   */
  async seedKey(scope: Scope, input: SeedKeyInput): Promise<'created' | 'unchanged'> {
    const origin = input.origin ?? 'kms';
    const keyState = input.keyState ?? (origin === 'kms' ? KeyState.Enabled : KeyState.PendingImport);
    const keyDescription = input.keyDescription ?? '';
    const name = `seed key ${input.keyId}`;
    if (!KEY_ID_PATTERN.test(input.keyId)) throw new Error(`${name}: the key ID must be a 36-character lower-case UUID`);
    if (!KEY_ALIAS_PATTERN.test(input.keyAlias)) throw new Error(`${name}: key_alias must match ${KEY_ALIAS_PATTERN.source}`);
    if ([...keyDescription].length > KEY_DESCRIPTION_MAX_CHARS) throw new Error(`${name}: key_description is too long`);
    if (origin === 'kms' && keyState !== KeyState.Enabled) throw new Error(`${name}: a key of origin kms must be enabled ("2")`);
    if (origin === 'external' && keyState !== KeyState.PendingImport) {
      throw new Error(`${name}: a key of origin external must be pending import ("5"): importing key material is not supported`);
    }
    if (origin === 'external' && input.material) throw new Error(`${name}: a key pending import has no key material`);
    if (input.material && input.material.length !== AES_KEY_BYTES) throw new Error(`${name}: key material must be ${AES_KEY_BYTES} bytes`);

    const existing = await this.#store.findKeyById(scope, input.keyId);
    if (existing) {
      const differences = [
        existing.keyAlias !== input.keyAlias && 'key_alias',
        existing.keyDescription !== keyDescription && 'key_description',
        existing.origin !== origin && 'origin',
        existing.keyState !== keyState && 'key_state',
        input.material && !this.#materialEquals(existing, input.material) && 'key_material',
      ].filter((field): field is string => typeof field === 'string');
      if (differences.length === 0) return 'unchanged';
      throw new SeedConflictError(`${name} exists with another ${differences.join(', ')}`);
    }
    const material = origin === 'kms' ? Buffer.from(input.material ?? randomBytes(AES_KEY_BYTES)) : undefined;
    try {
      const record: KeyRecord = {
        ...scope,
        keyId: input.keyId,
        keyAlias: input.keyAlias,
        keyDescription,
        origin,
        keyState,
        enterpriseProjectId: '0',
        creationDate: this.#now(),
        wrappedMaterial: null,
      };
      let result: InsertKeyResult;
      try {
        result = await this.#insertKey(record, material);
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw new SeedConflictError(`${name} could not be stored: another project of this store may hold this key ID`);
      }
      if (!result.ok && result.reason === 'duplicate-alias')
        throw new SeedConflictError(`${name}: another key has the alias ${input.keyAlias}`);
      if (!result.ok) throw new SeedConflictError(`${name}: the project holds its most keys (${this.#maxKeysPerProject})`);
      return 'created';
    } finally {
      material?.fill(0);
    }
  }

  /** Whether a key's stored material is `material`; false when it has none or it does not open. */
  #materialEquals(key: KeyRecord, material: Buffer): boolean {
    if (!key.wrappedMaterial) return false;
    const opened = this.#rootKeys.unwrap(key.wrappedMaterial, key);
    if (!('material' in opened)) return false;
    try {
      return opened.material.length === material.length && timingSafeEqual(opened.material, material);
    } finally {
      opened.material.fill(0);
    }
  }

  /** Inserts a key under the store's active root key, following one rotation that happened meanwhile. */
  async #insertKey(record: KeyRecord, material: Buffer | undefined): Promise<InsertKeyResult> {
    let result = await this.#insertUnderActiveRootKey(record, material);
    if (!result.ok && result.reason === 'meta-mismatch') {
      // A rotation made another root key active since this service last looked: follow it once.
      this.#activeRootKeyId = (await checkRootKeys(this.#store, this.#rootKeys)).active;
      result = await this.#insertUnderActiveRootKey(record, material);
    }
    if (!result.ok && result.reason === 'meta-mismatch') throw new Error('the active root key changed twice while creating a key');
    return result;
  }

  /** Inserts the key with its material wrapped under the active root key, if that key is still the store's active one. */
  async #insertUnderActiveRootKey(record: KeyRecord, material: Buffer | undefined): Promise<InsertKeyResult> {
    const active = this.#activeRootKeyId;
    // Held: checkRootKeys vouched for it whenever it was set.
    const wrappedMaterial = material ? this.#rootKeys.get(active)!.wrap(material, record, this.#random) : null;
    return this.#store.insertKey(
      { ...record, wrappedMaterial },
      { maxKeysPerProject: this.#maxKeysPerProject, metaEquals: { name: ACTIVE_ROOT_KEY_META, value: active } },
    );
  }

  async createDataKey(scope: Scope, input: CreateDataKeyInput): Promise<CreatedDataKey> {
    const bytes = datakeyBytesOfBits(datakeyBitsOf(input.datakeyBits, input.keySpec));
    const context = checkEncryptionContext(input.encryptionContext);
    const additionalData = checkAdditionalAuthenticatedData(input.additionalAuthenticatedData);
    const key = await this.#resolveKey(scope, input.keyId);
    // New data keys are sealed under the key's newest material version (docs/key-rotation.md).
    const materialVersion = newestMaterialVersion(key);
    const material = this.#usableMaterial(key, 'create-datakey', materialVersion);
    const plaintext = this.#random(bytes);
    try {
      const ciphertext = sealDataKey(
        { material, keyId: key.keyId, dek: plaintext, context, additionalData, materialVersion },
        this.#random,
      );
      return { keyId: key.keyId, plaintext, ciphertext };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    } finally {
      material.fill(0);
    }
  }

  /**
   * create-datakey-without-plaintext: createDataKey's rules, key resolution, state check and
   * blob, with the plaintext zeroed here so that it never leaves the core.
   */
  async createDataKeyWithoutPlaintext(scope: Scope, input: CreateDataKeyInput): Promise<{ keyId: string; ciphertext: Buffer }> {
    const made = await this.createDataKey(scope, input);
    made.plaintext.fill(0);
    return { keyId: made.keyId, ciphertext: made.ciphertext };
  }

  /** gen-random: `bits` random bits (a multiple of 8 from 8 to 8192, else KMS.0308), from this service's randomness. */
  generateRandom(bits: number): Buffer {
    return generateRandomData(bits, this.#random);
  }

  /**
   * Seals a data key the caller already has (encrypt-datakey), as createDataKey seals its own.
   * `plaintextWithDigest` is DEK ‖ SHA-256(DEK), `datakeyBytes` the DEK's length (1 to 1024):
   * another length is KMS.2101, a wrong digest KMS.2103. The input is not zeroed here.
   */
  async encryptDataKey(scope: Scope, input: EncryptDataKeyInput): Promise<{ keyId: string; ciphertext: Buffer }> {
    const bytes = input.datakeyBytes;
    if (!isDatakeyByteLength(bytes)) throw new KmsError('KMS.0308', 'Invalid parameter: datakey_plain_length.');
    const context = checkEncryptionContext(input.encryptionContext);
    const additionalData = checkAdditionalAuthenticatedData(input.additionalAuthenticatedData);
    const key = await this.#resolveKey(scope, input.keyId);
    if (input.plaintextWithDigest.length !== bytes + DATAKEY_DIGEST_BYTES) throw new KmsError('KMS.2101');
    const dek = input.plaintextWithDigest.subarray(0, bytes);
    const digest = createHash('sha256').update(dek).digest();
    if (!timingSafeEqual(digest, input.plaintextWithDigest.subarray(bytes))) throw new KmsError('KMS.2103');
    const materialVersion = newestMaterialVersion(key);
    const material = this.#usableMaterial(key, 'encrypt-datakey', materialVersion);
    try {
      return {
        keyId: key.keyId,
        ciphertext: sealDataKey({ material, keyId: key.keyId, dek, context, additionalData, materialVersion }, this.#random),
      };
    } finally {
      material.fill(0);
    }
  }

  /** Opens a data key made by createDataKey; the same encryption context and additional authenticated data must be given. */
  async decryptDataKey(scope: Scope, input: DecryptDataKeyInput): Promise<{ keyId: string; plaintext: Buffer }> {
    const named = input.keyId === undefined ? undefined : await this.#resolveKey(scope, input.keyId);
    const blob = decodeDatakeyBlob(input.ciphertext);
    if (!blob) throw new KmsError('KMS.2201');
    const context = checkEncryptionContext(input.encryptionContext);
    const additionalData = checkAdditionalAuthenticatedData(input.additionalAuthenticatedData);
    // A blob sealed under another key than the one named fails like a relabelled blob.
    if (named && named.keyId !== blob.keyId) throw new KmsError('KMS.2203');
    const key = named ?? (await this.#store.findKeyById(scope, blob.keyId));
    if (!key || isDueForDeletion(key, this.#now())) throw new KmsError('KMS.0207');
    const material = this.#usableMaterial(key, 'decrypt-datakey', blob.materialVersion);
    try {
      const plaintext = openDataKey(material, blob, context, additionalData);
      if (!plaintext) throw new KmsError('KMS.2203');
      if (input.datakeyBytes !== undefined && plaintext.length !== input.datakeyBytes) {
        plaintext.fill(0);
        throw new KmsError('KMS.0308', 'Invalid datakey_cipher_length: it must be the data key length in bytes.');
      }
      return { keyId: key.keyId, plaintext };
    } finally {
      material.fill(0);
    }
  }

  /**
   * encrypt-data: seals the UTF-8 bytes of `plaintext` (1 to 4096, KMS.2101) under the key, with
   * create-datakey's key resolution and state check, bound to the key ID and the encryption
   * context (docs/ciphertext-format.md, "Data ciphertext").
   */
  async encryptData(scope: Scope, input: EncryptDataInput): Promise<{ keyId: string; ciphertext: Buffer }> {
    checkEncryptionAlgorithm(input.encryptionAlgorithm);
    const context = checkEncryptionContext(input.encryptionContext);
    const data = dataPlaintextBytes(input.plaintext);
    try {
      const key = await this.#resolveKey(scope, input.keyId);
      // Data and data keys are refused in the same states (docs/key-states.md): encrypt-datakey's row.
      const materialVersion = newestMaterialVersion(key);
      const material = this.#usableMaterial(key, 'encrypt-datakey', materialVersion);
      try {
        return { keyId: key.keyId, ciphertext: sealData(material, key.keyId, data, context, this.#random, materialVersion) };
      } finally {
        material.fill(0);
      }
    } finally {
      data.fill(0);
    }
  }

  /**
   * decrypt-data: opens what encryptData made, under the same context. Errors as decryptDataKey:
   * KMS.2201 malformed, KMS.0207 no such key in the project, the key's state, KMS.2203 wrong
   * context, key or altered payload. The caller zeroes the plaintext.
   */
  async decryptData(scope: Scope, input: DecryptDataInput): Promise<{ keyId: string; plaintext: Buffer }> {
    checkEncryptionAlgorithm(input.encryptionAlgorithm);
    const named = input.keyId === undefined ? undefined : await this.#resolveKey(scope, input.keyId);
    const ciphertext = decodeDataCiphertext(input.ciphertext);
    if (!ciphertext) throw new KmsError('KMS.2201');
    const context = checkEncryptionContext(input.encryptionContext);
    if (named && named.keyId !== ciphertext.keyId) throw new KmsError('KMS.2203', DATA_NOT_OPENED);
    const key = named ?? (await this.#store.findKeyById(scope, ciphertext.keyId));
    if (!key || isDueForDeletion(key, this.#now())) throw new KmsError('KMS.0207');
    // decrypt-datakey's row of docs/key-states.md.
    const material = this.#usableMaterial(key, 'decrypt-datakey', ciphertext.materialVersion, DATA_NOT_OPENED);
    try {
      const plaintext = openData(material, ciphertext, context);
      if (!plaintext) throw new KmsError('KMS.2203', DATA_NOT_OPENED);
      return { keyId: key.keyId, plaintext };
    } finally {
      material.fill(0);
    }
  }

  /**
   * The key named by `keyId` (key ID, `alias/NAME` or alias URN), in any state, for
   * describe-key: KMS.0205 when `keyId` is no reference, KMS.0207 when not in the project.
   * The record's wrapped material is left out.
   */
  async describeKey(scope: Scope, keyId: string): Promise<KeyRecord> {
    const key = await this.#resolveKey(scope, keyId);
    requireState('describe-key', key);
    return withoutMaterial(key);
  }

  /**
   * A page of the project's keys, in the stable order (creation date, key ID), for list-keys,
   * after the cursor a previous page returned. Keys existing for the whole pagination are
   * returned exactly once. Wrapped material is left out of the records.
   */
  async listKeys(scope: Scope, input: ListKeysInput = {}): Promise<ListKeysResult> {
    const limit = input.limit ?? LIST_KEYS_MAX_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < LIST_KEYS_MIN_LIMIT || limit > LIST_KEYS_MAX_LIMIT) {
      throw new KmsError('KMS.0308', 'Invalid parameter: limit.');
    }
    // No OpenKMS key has another spec than AES_256: such a filter matches nothing.
    if (!keySpecFilterMatchesCmks(input.keySpec)) return { keys: [], truncated: false, next: undefined, total: 0 };
    const page = await this.#store.listKeys(scope, {
      limit,
      after: input.after,
      keyState: input.keyState,
      enterpriseProjectId: input.enterpriseProjectId,
      // Keys past their deletion date are gone even before the purge removes them.
      goneAt: this.#now(),
    });
    const last = page.keys[page.keys.length - 1];
    return {
      keys: page.keys.map(withoutMaterial),
      truncated: page.truncated,
      next: page.truncated && last ? { creationDate: last.creationDate, keyId: last.keyId } : undefined,
      total: page.total,
    };
  }

  /** enable-key: a disabled key becomes enabled (docs/key-states.md for every other state). */
  async enableKey(scope: Scope, keyId: string): Promise<KeyRecord> {
    return this.#transition(scope, keyId, 'enable-key');
  }

  /** disable-key: an enabled key becomes disabled and refuses data-key operations (KMS.0209). */
  async disableKey(scope: Scope, keyId: string): Promise<KeyRecord> {
    return this.#transition(scope, keyId, 'disable-key');
  }

  /**
   * schedule-key-deletion: the key becomes pending deletion, refuses every use (KMS.0210), and
   * is purged `pendingDays` (7 to 1096, KMS.0308) days from now unless cancelled first.
   */
  async scheduleKeyDeletion(scope: Scope, keyId: string, pendingDays: number): Promise<KeyRecord> {
    const days = checkPendingDays(pendingDays, this.#minPendingDays);
    return this.#transition(scope, keyId, 'schedule-key-deletion', this.#now() + days * DAY_MS);
  }

  /** cancel-key-deletion: a key pending deletion returns to disabled (pending import if it never had material). */
  async cancelKeyDeletion(scope: Scope, keyId: string): Promise<KeyRecord> {
    return this.#transition(scope, keyId, 'cancel-key-deletion');
  }

  /**
   * Destroys every key whose deletion date has passed (row and wrapped material): its alias and
   * quota slot are free again and its ciphertexts answer as a key that never existed. Resolves
   * the IDs this call deleted. Idempotent; any number of servers may run it together.
   */
  async purgeDueKeys(): Promise<string[]> {
    return purgeDueKeys(this.#store, this.#now());
  }

  async #transition(scope: Scope, keyId: string, operation: KeyOperation, scheduledDeletionDate: number | null = null): Promise<KeyRecord> {
    const key = await transitionKey(this.#store, scope, operation, () => this.#resolveKey(scope, keyId), scheduledDeletionDate);
    return withoutMaterial(key);
  }

  /**
   * enable-key-rotation: the key rotates automatically every rotation interval (365 days unless
   * set), counted from now or from its last rotation, whichever is later. Enabling it again
   * changes nothing. An enabled key of origin kms only (docs/key-states.md; KMS.0308 for imported material).
   */
  async enableKeyRotation(scope: Scope, keyId: string): Promise<KeyRotationStatus> {
    const key = await this.#rotatableKey(scope, keyId, 'enable-key-rotation');
    if (key.rotationEnabledAt !== undefined) return rotationStatusOf(key);
    const rotationEnabledAt = this.#now();
    return this.#setRotation(scope, key, { ...key, rotationEnabledAt });
  }

  /** disable-key-rotation: no more automatic rotations; the material versions made stay, and on-demand rotation still works. */
  async disableKeyRotation(scope: Scope, keyId: string): Promise<KeyRotationStatus> {
    const key = await this.#rotatableKey(scope, keyId, 'disable-key-rotation');
    const { rotationEnabledAt: _enabled, ...rest } = key;
    return this.#setRotation(scope, key, rest);
  }

  /** update-key-rotation-interval: days between automatic rotations, 30 to 365 (KMS.0308), whether or not rotation is enabled. */
  async updateKeyRotationInterval(scope: Scope, keyId: string, days: number): Promise<KeyRotationStatus> {
    const rotationIntervalDays = checkRotationInterval(days);
    const key = await this.#rotatableKey(scope, keyId, 'update-key-rotation-interval');
    return this.#setRotation(scope, key, { ...key, rotationIntervalDays });
  }

  /** get-key-rotation-status: the key's rotation settings, in any state (a key of origin external never rotates: disabled, 0 rotations). */
  async getKeyRotationStatus(scope: Scope, keyId: string): Promise<KeyRotationStatus> {
    const key = await this.#resolveKey(scope, keyId);
    requireState('get-key-rotation-status', key);
    return rotationStatusOf(key);
  }

  /**
   * rotate-on-demand: adds a material version now, whatever the automatic rotation settings.
   * New data keys and data use it from now on; everything sealed under older versions still opens.
   */
  async rotateKeyOnDemand(scope: Scope, keyId: string): Promise<KeyRotationStatus> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const key = await this.#rotatableKey(scope, keyId, 'rotate-on-demand');
      const rotated = await this.#addMaterialVersion(key);
      if (rotated) return rotationStatusOf(rotated);
    }
    throw new KmsError('KMS.0104', 'The key changed concurrently; retry.');
  }

  /**
   * Automatic rotation: rotates every enabled key whose rotation interval has passed (the store
   * decides from this service's clock), once each; resolves the IDs this call rotated. Any number
   * of servers may run it together: each due key gets one new version between them.
   */
  async rotateDueKeys(): Promise<string[]> {
    const now = this.#now();
    const rotated: string[] = [];
    for (let after: string | undefined; ;) {
      const due = await this.#store.findKeysDueForRotation(now, after, ROTATION_BATCH_SIZE);
      for (const key of due) {
        // Another server (or an on-demand rotation) that got there first makes this one a no-op.
        if (await this.#addMaterialVersion(key, now)) rotated.push(key.keyId);
      }
      if (due.length < ROTATION_BATCH_SIZE) return rotated;
      after = due[due.length - 1]!.keyId;
    }
  }

  async #rotatableKey(scope: Scope, keyId: string, operation: KeyOperation): Promise<KeyRecord> {
    const key = await this.#resolveKey(scope, keyId);
    requireState(operation, key);
    requireRotatable(key);
    return key;
  }

  /** Writes `next`'s rotation settings if the key is still enabled; the key's status as written. */
  async #setRotation(scope: Scope, key: KeyRecord, next: KeyRecord): Promise<KeyRotationStatus> {
    const settings = {
      rotationEnabledAt: next.rotationEnabledAt ?? null,
      rotationIntervalDays: rotationStatusOf(next).rotationIntervalDays,
    };
    if (!(await this.#store.updateKeyRotation(scope, key.keyId, KeyState.Enabled, settings))) {
      // Disabled, scheduled for deletion or purged since it was read: answer as the key is now.
      await this.#rotatableKey(scope, key.keyId, 'enable-key-rotation');
      throw new KmsError('KMS.0104', 'The key changed concurrently; retry.');
    }
    return rotationStatusOf(next);
  }

  /**
   * Adds a new material version to `key` as read: fresh random material wrapped under the active
   * root key, appended only if no one rotated or rewrapped the key meanwhile. The key as it now
   * is, or undefined when it changed (the caller reads it again or lets the other change stand).
   */
  async #addMaterialVersion(key: KeyRecord, rotatedAt = this.#now()): Promise<KeyRecord | undefined> {
    const expected = key.rotatedMaterials ?? [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const active = this.#activeRootKeyId;
      const material = randomBytes(AES_KEY_BYTES);
      let wrappedMaterial: Buffer;
      try {
        wrappedMaterial = this.#rootKeys.get(active)!.wrap(material, key, this.#random);
      } finally {
        material.fill(0);
      }
      const result = await this.#store.addMaterialVersion(key, key.keyId, {
        expected,
        wrappedMaterial,
        rotatedAt,
        metaEquals: { name: ACTIVE_ROOT_KEY_META, value: active },
      });
      if (result === 'added') return { ...key, rotatedMaterials: [...expected, wrappedMaterial], lastRotationTime: rotatedAt };
      if (result === 'changed') return undefined;
      // A root key rotation made another root key active since this service last looked: follow it once.
      this.#activeRootKeyId = (await checkRootKeys(this.#store, this.#rootKeys)).active;
    }
    throw new Error('the active root key changed twice while rotating a key');
  }

  /**
   * update-key-alias: gives the key named by `keyId` (resolved as create-datakey resolves it:
   * KMS.0205, KMS.0207) a new alias under create-key's rule (KMS.1101), unique in the project
   * (KMS.1104), atomically in the store.
   */
  async updateKeyAlias(scope: Scope, keyId: string, keyAlias: string): Promise<{ keyId: string; keyAlias: string }> {
    checkKeyAlias(keyAlias);
    const key = await this.#editKey(scope, keyId, 'update-key-alias', async (checked) => {
      const result = await this.#store.updateKeyAlias(scope, checked.keyId, keyAlias, checked.keyState);
      if (!result.ok && result.reason === 'duplicate-alias') throw new KmsError('KMS.1104');
      return result.ok;
    });
    return { keyId: key.keyId, keyAlias };
  }

  /** update-key-description: a new description under create-key's rule (KMS.1103) for the key named by `keyId`. */
  async updateKeyDescription(scope: Scope, keyId: string, keyDescription: string): Promise<{ keyId: string; keyDescription: string }> {
    checkKeyDescription(keyDescription);
    const key = await this.#editKey(scope, keyId, 'update-key-description', (checked) =>
      this.#store.updateKeyDescription(scope, checked.keyId, keyDescription, checked.keyState),
    );
    return { keyId: key.keyId, keyDescription };
  }

  /**
   * Applies an edit to the key `keyId` names while it is in the state the edit was checked in:
   * `write` resolves false when the key left that state (or was purged) meanwhile, and the key is
   * read and checked again, so a concurrent schedule-key-deletion answers KMS.0210 and a purge
   * KMS.0207. Bounded, as transitionKey is.
   */
  async #editKey(scope: Scope, keyId: string, operation: KeyOperation, write: (key: KeyRecord) => Promise<boolean>): Promise<KeyRecord> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const key = await this.#resolveKey(scope, keyId);
      requireState(operation, key);
      if (await write(key)) return key;
    }
    throw new KmsError('KMS.0104', 'The key changed state concurrently; retry.');
  }

  /** user-quotas: the project's key quota (`maxKeysPerProject`) and the keys it holds, and the grants quota. */
  async userQuotas(scope: Scope): Promise<readonly QuotaResource[]> {
    const used = await this.#store.countKeys(scope);
    return [
      { type: 'CMK', used, quota: this.#maxKeysPerProject },
      { type: 'grant_per_CMK', used: 0, quota: GRANTS_PER_KEY_QUOTA },
    ];
  }

  /** user-instances: how many keys the project holds, in any state. */
  async userInstances(scope: Scope): Promise<number> {
    return this.#store.countKeys(scope);
  }

  /** The region name this service answers for (alias URNs, describe-key's `realm`). */
  get region(): string {
    return this.#region;
  }

  async #resolveKey(scope: Scope, text: string): Promise<KeyRecord> {
    const reference = parseKeyReference(text);
    if (!reference) throw new KmsError('KMS.0205');
    let key: KeyRecord | undefined;
    if (reference.kind === 'id') {
      key = await this.#store.findKeyById(scope, reference.keyId);
    } else if (reference.kind === 'alias') {
      key = await this.#store.findKeyByAlias(scope, reference.alias);
    } else if (reference.region === this.#region && reference.domainId === scope.domainId) {
      // A URN naming another region or account is a key this caller cannot see.
      key = await this.#store.findKeyByAlias(scope, reference.alias);
    }
    // A key past its deletion date is gone, whether or not the purge has run yet.
    if (!key || isDueForDeletion(key, this.#now())) throw new KmsError('KMS.0207');
    return key;
  }

  /**
   * One version of the key's plain material (the first when absent), after the state machine
   * allowed `operation` in its state. A version the key does not have (a ciphertext naming a
   * version never made) is KMS.2203, like any ciphertext that is not this key's. The caller must zero it.
   */
  #usableMaterial(key: KeyRecord, operation: KeyOperation, version = 1, notOpenedMessage?: string): Buffer {
    requireState(operation, key);
    if (!key.wrappedMaterial) throw new Error(`key ${key.keyId} is enabled but has no key material`);
    const wrapped = wrappedMaterialVersion(key, version);
    if (!wrapped) throw new KmsError('KMS.2203', notOpenedMessage);
    const opened = this.#rootKeys.unwrap(wrapped, key);
    if ('material' in opened) return opened.material;
    // Stored material that does not open is a server fault (damage or tampering at rest, or a
    // root key the server was not given), never the caller's.
    if (opened.reason === 'unknown-root-key') {
      throw new Error(
        `key material of key ${key.keyId} is wrapped under root key ${opened.rootKeyId}, which this server does not hold; reload the server with it`,
      );
    }
    throw new Error(`stored key material of key ${key.keyId} failed authentication`);
  }
}

/** A key record for callers outside the core: no wrapped material of any version. */
function withoutMaterial(key: KeyRecord): KeyRecord {
  const { rotatedMaterials: _versions, ...rest } = key;
  return { ...rest, wrappedMaterial: null };
}
