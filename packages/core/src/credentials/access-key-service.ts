import type { RootKey } from '../crypto/root-key';
import { RootKeyRing } from '../crypto/root-key-ring';
import { ACTIVE_ROOT_KEY_META, checkRootKeys } from '../service/root-key-state';
import type { KeyStore } from '../store/key-store';
import {
  ACCESS_KEY_ID_PATTERN,
  checkAccessKeyFields,
  generateAccessKeyId,
  generateSecretKey,
  SECRET_KEY_PATTERN,
  type AccessKeySummary,
} from './access-key';
import type { AccessKeyStore } from './access-key-store';

/** A live access key with its secret opened: only for the caller that verifies signatures. */
export interface LiveAccessKey {
  readonly accessKeyId: string;
  readonly name: string;
  readonly secretKey: string;
  readonly domainId: string;
  readonly projects: readonly string[];
}

export interface NewAccessKey {
  readonly name: string;
  readonly domainId: string;
  readonly projects: readonly string[];
  /** A fixed AK and SK (test tenants, fixed development credentials); by default fresh random ones. */
  readonly accessKeyId?: string;
  readonly secretKey?: string;
}

/** A created access key: the only time its secret is handed out. */
export interface CreatedAccessKey extends AccessKeySummary {
  readonly secretKey: string;
}

export interface AccessKeyServiceOptions {
  readonly store: KeyStore & AccessKeyStore;
  readonly rootKey: RootKey;
  readonly previousRootKeys?: readonly RootKey[];
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

/**
 * Access keys over a store and the root keys: creates them (the SK wrapped under the store's
 * active root key, as key material is), opens a live one's SK for signature checks, lists and
 * revokes them. Errors name access key IDs and root key check values, never a secret.
 */
export class AccessKeyService {
  readonly #store: KeyStore & AccessKeyStore;
  readonly #now: () => number;
  #rootKeys: RootKeyRing;

  private constructor(options: AccessKeyServiceOptions, rootKeys: RootKeyRing) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#rootKeys = rootKeys;
  }

  /** Checks the root keys against the store (as KmsService.open does). */
  static async open(options: AccessKeyServiceOptions): Promise<AccessKeyService> {
    const rootKeys = new RootKeyRing([options.rootKey, ...(options.previousRootKeys ?? [])]);
    await checkRootKeys(options.store, rootKeys);
    return new AccessKeyService(options, rootKeys);
  }

  /** Holds other root keys from now on (a reload during a rotation), after checking them against the store. */
  async replaceRootKeys(rootKey: RootKey, previousRootKeys: readonly RootKey[] = []): Promise<void> {
    const rootKeys = new RootKeyRing([rootKey, ...previousRootKeys]);
    await checkRootKeys(this.#store, rootKeys);
    this.#rootKeys = rootKeys;
  }

  /** Creates an access key; the returned SK is shown once and stored only wrapped. */
  async create(input: NewAccessKey): Promise<CreatedAccessKey> {
    checkAccessKeyFields(input);
    if (input.accessKeyId !== undefined && !ACCESS_KEY_ID_PATTERN.test(input.accessKeyId)) {
      throw new Error('an access key ID must be 20 upper-case letters and digits');
    }
    if (input.secretKey !== undefined && !SECRET_KEY_PATTERN.test(input.secretKey)) {
      throw new Error('a secret key must be 40 letters and digits');
    }
    const secretKey = input.secretKey ?? generateSecretKey();
    const secret = Buffer.from(secretKey, 'utf8');
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        // The active root key may change under a rotation; the insert is conditioned on it, so re-read and retry.
        const { active } = await checkRootKeys(this.#store, this.#rootKeys);
        const accessKeyId = input.accessKeyId ?? generateAccessKeyId();
        const summary: AccessKeySummary = {
          accessKeyId,
          name: input.name,
          domainId: input.domainId,
          projects: [...new Set(input.projects)],
          createdAt: this.#now(),
          revokedAt: null,
        };
        const wrappedSecret = this.#rootKeys.get(active)!.wrapSecret(secret, { domainId: input.domainId, credentialId: accessKeyId });
        const result = await this.#store.insertAccessKey(
          { ...summary, wrappedSecret },
          { metaEquals: { name: ACTIVE_ROOT_KEY_META, value: active } },
        );
        if (result.ok) return { ...summary, secretKey };
        if (result.reason === 'duplicate-access-key-id' && input.accessKeyId !== undefined) {
          throw new Error(`access key ${input.accessKeyId} already exists`);
        }
      }
      throw new Error('could not store the access key: the active root key kept changing, or access key IDs kept colliding');
    } finally {
      secret.fill(0);
    }
  }

  /**
   * The live access key with this ID and its opened SK, or undefined when there is none (unknown
   * or revoked). Throws when its secret does not open under the root keys held (damage, or a root
   * key this server was not given): that is a server fault, not an unknown key.
   */
  async findLive(accessKeyId: string): Promise<LiveAccessKey | undefined> {
    if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId)) return undefined;
    const record = await this.#store.findAccessKey(accessKeyId);
    if (!record || record.revokedAt !== null) return undefined;
    const opened = this.#rootKeys.unwrapSecret(record.wrappedSecret, { domainId: record.domainId, credentialId: record.accessKeyId });
    if (!('secret' in opened)) {
      throw new Error(
        opened.reason === 'unknown-root-key'
          ? `the secret of access key ${accessKeyId} is wrapped under root key ${opened.rootKeyId}, which this server does not hold`
          : `the secret of access key ${accessKeyId} does not open under the root keys held (damaged or tampered with)`,
      );
    }
    const secretKey = opened.secret.toString('utf8');
    opened.secret.fill(0);
    return { accessKeyId, name: record.name, secretKey, domainId: record.domainId, projects: record.projects };
  }

  /** Every access key, live and revoked, never with its secret. */
  async list(): Promise<AccessKeySummary[]> {
    return this.#store.listAccessKeys();
  }

  /** Revokes a live access key; resolves false when there is no live key of that ID. */
  async revoke(accessKeyId: string): Promise<boolean> {
    return this.#store.revokeAccessKey(accessKeyId, this.#now());
  }
}
