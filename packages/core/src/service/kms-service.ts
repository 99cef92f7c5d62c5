import { randomBytes, randomUUID } from 'node:crypto';
import { AES_KEY_BYTES, openAesGcm, sealAesGcm, type RandomBytes, systemRandomBytes } from '../crypto/aes-gcm';
import type { RootKey } from '../crypto/root-key';
import { DATAKEY_BLOB_VERSION, decodeDatakeyBlob, encodeDatakeyBlob } from '../ciphertext/datakey-blob';
import { encodeEncryptionContext, type EncryptionContext } from '../ciphertext/encryption-context';
import { KmsError } from '../errors';
import { KeyState, type KeyOrigin, type KeyRecord, type Scope } from '../keys/key-record';
import { parseKeyReference } from '../keys/key-reference';
import type { KeyStore } from '../store/key-store';

export const DEFAULT_MAX_KEYS_PER_PROJECT = 1000;
export const DATAKEY_MIN_BITS = 8;
export const DATAKEY_MAX_BITS = 8192;
export const ENCRYPTION_CONTEXT_MAX_CHARS = 8192;
const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]{1,255}$/;
const RESERVED_ALIAS_SUFFIX = '/default';
const ROOT_KEY_CHECK_META = 'root_key_check_value';
const DATAKEY_AAD_LABEL = Buffer.from('openkms.datakey\0', 'ascii');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface KmsServiceOptions {
  readonly store: KeyStore;
  readonly rootKey: RootKey;
  /** Region name used in alias URNs (`kms:<region>:<domain_id>:alias:<NAME>`). */
  readonly region: string;
  readonly maxKeysPerProject?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
  /** Randomness for nonces and data keys, injectable for test vectors. */
  readonly randomBytes?: RandomBytes;
  /** Key ID generator, injectable for test vectors. */
  readonly newKeyId?: () => string;
}

export interface CreateKeyInput {
  readonly keyAlias: string;
  readonly keyDescription?: string;
  readonly origin?: KeyOrigin;
  readonly enterpriseProjectId?: string;
}

export interface CreatedKey {
  readonly keyId: string;
  readonly domainId: string;
}

export interface CreateDataKeyInput {
  /** Key ID, `alias/NAME`, or alias URN. */
  readonly keyId: string;
  /** Decimal string of bits, as the API sends it. */
  readonly datakeyLength: string;
  readonly encryptionContext?: EncryptionContext;
}

export interface CreatedDataKey {
  readonly keyId: string;
  readonly plaintext: Buffer;
  readonly ciphertext: Buffer;
}

export interface DecryptDataKeyInput {
  readonly ciphertext: Buffer;
  readonly encryptionContext?: EncryptionContext;
}

/**
 * The rules of the KMS, independent of HTTP: creating master keys, sealing data keys
 * under them, and opening those again. Every failure is a KmsError with its code.
 */
export class KmsService {
  readonly #store: KeyStore;
  readonly #rootKey: RootKey;
  readonly #region: string;
  readonly #maxKeysPerProject: number;
  readonly #now: () => number;
  readonly #random: RandomBytes;
  readonly #newKeyId: () => string;

  private constructor(options: KmsServiceOptions) {
    this.#store = options.store;
    this.#rootKey = options.rootKey;
    this.#region = options.region;
    this.#maxKeysPerProject = options.maxKeysPerProject ?? DEFAULT_MAX_KEYS_PER_PROJECT;
    this.#now = options.now ?? Date.now;
    this.#random = options.randomBytes ?? systemRandomBytes;
    this.#newKeyId = options.newKeyId ?? randomUUID;
  }

  /**
   * Opens the service over a store. The first start records the root key's check value;
   * later starts with a different root key fail here, before any request is served.
   */
  static async open(options: KmsServiceOptions): Promise<KmsService> {
    const maxKeys = options.maxKeysPerProject ?? DEFAULT_MAX_KEYS_PER_PROJECT;
    // Check options before touching the store.
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error('maxKeysPerProject must be a positive integer');
    const expected = options.rootKey.checkValue();
    const stored = await options.store.setMetaIfAbsent(ROOT_KEY_CHECK_META, expected);
    if (stored !== expected) {
      throw new Error(
        'the root key does not match the one this store was created with (check value mismatch); ' +
          'start with the original root key',
      );
    }
    return new KmsService(options);
  }

  async createKey(scope: Scope, input: CreateKeyInput): Promise<CreatedKey> {
    if (!ALIAS_PATTERN.test(input.keyAlias) || input.keyAlias.endsWith(RESERVED_ALIAS_SUFFIX)) {
      throw new KmsError('KMS.1101');
    }
    const keyDescription = input.keyDescription ?? '';
    if ([...keyDescription].length > 255) throw new KmsError('KMS.1103');
    const origin = input.origin ?? 'kms';
    if (origin !== 'kms' && origin !== 'external') throw new KmsError('KMS.0308', 'Invalid origin: it must be kms or external.');

    const keyId = this.#newKeyId();
    const owner = { domainId: scope.domainId, projectId: scope.projectId, keyId };
    let wrappedMaterial: Buffer | null = null;
    if (origin === 'kms') {
      const material = randomBytes(AES_KEY_BYTES);
      try {
        wrappedMaterial = this.#rootKey.wrap(material, owner, this.#random);
      } finally {
        material.fill(0);
      }
    }
    const record: KeyRecord = {
      ...owner,
      keyAlias: input.keyAlias,
      keyDescription,
      origin,
      keyState: origin === 'kms' ? KeyState.Enabled : KeyState.PendingImport,
      enterpriseProjectId: input.enterpriseProjectId ?? '0',
      creationDate: this.#now(),
      wrappedMaterial,
    };
    const result = await this.#store.insertKey(record, { maxKeysPerProject: this.#maxKeysPerProject });
    if (!result.ok) throw new KmsError(result.reason === 'duplicate-alias' ? 'KMS.1104' : 'KMS.1105');
    return { keyId, domainId: scope.domainId };
  }

  async createDataKey(scope: Scope, input: CreateDataKeyInput): Promise<CreatedDataKey> {
    const bits = parseDatakeyLength(input.datakeyLength);
    const context = checkEncryptionContext(input.encryptionContext);
    const key = await this.#resolveKey(scope, input.keyId);
    const material = this.#usableMaterial(key);
    const plaintext = this.#random(bits / 8);
    try {
      const payload = sealAesGcm(material, plaintext, datakeyAad(key.keyId, context), this.#random);
      return { keyId: key.keyId, plaintext, ciphertext: encodeDatakeyBlob({ keyId: key.keyId, payload }) };
    } catch (error) {
      plaintext.fill(0);
      throw error;
    } finally {
      material.fill(0);
    }
  }

  /** Opens a data key made by createDataKey; the same encryption context must be given. */
  async decryptDataKey(scope: Scope, input: DecryptDataKeyInput): Promise<{ keyId: string; plaintext: Buffer }> {
    const blob = decodeDatakeyBlob(input.ciphertext);
    if (!blob) throw new KmsError('KMS.2201');
    const context = checkEncryptionContext(input.encryptionContext);
    const key = await this.#store.findKeyById(scope, blob.keyId);
    if (!key) throw new KmsError('KMS.0207');
    const material = this.#usableMaterial(key);
    try {
      const plaintext = openAesGcm(material, blob.payload, datakeyAad(key.keyId, context));
      if (!plaintext) throw new KmsError('KMS.2203');
      return { keyId: key.keyId, plaintext };
    } finally {
      material.fill(0);
    }
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
    if (!key) throw new KmsError('KMS.0207');
    return key;
  }

  /** The key's plain material, after checking its state. The caller must zero it. */
  #usableMaterial(key: KeyRecord): Buffer {
    switch (key.keyState) {
      case KeyState.Enabled:
        break;
      case KeyState.PendingImport:
        throw new KmsError('KMS.0310');
      case KeyState.Disabled:
        throw new KmsError('KMS.0209');
      case KeyState.PendingDeletion:
        throw new KmsError('KMS.0210');
      default:
        throw new KmsError('KMS.0209', 'The key is not enabled.');
    }
    const material = key.wrappedMaterial && this.#rootKey.unwrap(key.wrappedMaterial, key);
    // Stored material that does not open is damage or tampering at rest, never the caller's fault.
    if (!material) throw new Error(`stored key material of key ${key.keyId} failed authentication`);
    return material;
  }
}

/** Bits of a data key from the API's decimal string: 8 to 8192 (KMS.1901), a multiple of 8 (KMS.1903). */
export function parseDatakeyLength(text: string): number {
  if (!/^[1-9][0-9]{0,3}$/.test(text)) throw new KmsError('KMS.1901');
  const bits = Number(text);
  if (bits < DATAKEY_MIN_BITS || bits > DATAKEY_MAX_BITS) throw new KmsError('KMS.1901');
  if (bits % 8 !== 0) throw new KmsError('KMS.1903');
  return bits;
}

function checkEncryptionContext(context: EncryptionContext | undefined): EncryptionContext {
  if (context === undefined) return {};
  if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new KmsError('KMS.0208');
  for (const [name, value] of Object.entries(context)) {
    if (typeof value !== 'string' || LONE_SURROGATE.test(name) || LONE_SURROGATE.test(value)) {
      throw new KmsError('KMS.0208');
    }
  }
  if (JSON.stringify(context).length > ENCRYPTION_CONTEXT_MAX_CHARS) {
    throw new KmsError('KMS.0208', `Invalid encryption_context: at most ${ENCRYPTION_CONTEXT_MAX_CHARS} characters when serialized.`);
  }
  return context;
}

/** Associated data of a data key: label ‖ format version ‖ key ID ‖ canonical context. */
export function datakeyAad(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([DATAKEY_AAD_LABEL, DATAKEY_BLOB_VERSION, Buffer.from(keyId, 'ascii'), encodeEncryptionContext(context)]);
}
