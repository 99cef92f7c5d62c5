import type { KeyRecord, KeyState, Scope } from '../keys/key-record';
import type { ListCursor } from '../keys/list-cursor';
import type { KeyTagStore } from './key-tag-store';

/** Keys per state, over the whole store. */
export type KeyStateCounts = Partial<Record<KeyState, number>>;

/** A page of a project's keys in the stable order (creationDate, keyId). */
export interface ListKeysQuery {
  /** At most this many keys (1 or more). */
  readonly limit: number;
  /** Only keys strictly after this position in the order (the last key of the previous page). */
  readonly after?: ListCursor;
  /** Only keys in this state. */
  readonly keyState?: KeyState;
  /** Only keys of this enterprise project (`KeyRecord.enterpriseProjectId`). */
  readonly enterpriseProjectId?: string;
  /**
   * Leave out (from the page and the total) keys pending deletion whose date is at or before this
   * time: they are gone for callers, whether or not the purge has removed them yet.
   */
  readonly goneAt?: number;
}

export interface ListKeysPage {
  readonly keys: KeyRecord[];
  /** Whether keys matching the query follow this page. */
  readonly truncated: boolean;
  /** How many keys of the project match `keyState` (all positions). */
  readonly total: number;
}

export interface InsertKeyConditions {
  /** The project holds at most this many keys. */
  readonly maxKeysPerProject: number;
  /**
   * Insert only while the store setting `name` holds `value`, checked atomically with the
   * insert (the service uses it so that no key is wrapped under a root key being retired).
   */
  readonly metaEquals?: { readonly name: string; readonly value: string };
}

export interface KeyStateChange {
  readonly from: KeyState;
  readonly to: KeyState;
  /** Epoch milliseconds when `to` is pending deletion; null otherwise. */
  readonly scheduledDeletionDate: number | null;
}

export type InsertKeyResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'duplicate-alias' | 'quota-exceeded' | 'meta-mismatch' };

/** Key rotation settings as updateKeyRotation writes them (docs/key-rotation.md). */
export interface KeyRotationSettings {
  /** Epoch ms automatic rotation was enabled; null disables it. */
  readonly rotationEnabledAt: number | null;
  /** Days between automatic rotations. */
  readonly rotationIntervalDays: number;
}

/** A new material version for addMaterialVersion. */
export interface MaterialVersionAddition {
  /** The key's rotated materials as read (compare and swap): the version is added only if they are still these. */
  readonly expected: readonly Buffer[];
  /** The new version's material, wrapped under the root key named by `metaEquals`. */
  readonly wrappedMaterial: Buffer;
  /** Epoch ms: the key's last rotation time from now on. */
  readonly rotatedAt: number;
  /** Added only while this store setting holds this value (the active root key), checked atomically, as insertKey's. */
  readonly metaEquals: { readonly name: string; readonly value: string };
}

export type AddMaterialVersionResult = 'added' | 'changed' | 'meta-mismatch';

/** The outcome of updateKeyAlias: `not-found` when the project has no such key. */
export type UpdateKeyAliasResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'not-found' | 'duplicate-alias' };

/**
 * Durable storage of customer master keys. Every method is async so that a networked
 * store (PostgreSQL) fits the same interface. Lookups are always scoped to a domain and
 * project: a store never returns another project's key. Tags: KeyTagStore (key-tag-store.ts).
 */
export interface KeyStore extends KeyTagStore {
  /**
   * Inserts a key atomically with its rules: the alias is unique in the project, the project
   * holds at most `maxKeysPerProject` keys, and `metaEquals` (when given) holds. When it
   * resolves `ok`, the key is durable.
   */
  insertKey(record: KeyRecord, conditions: InsertKeyConditions): Promise<InsertKeyResult>;
  findKeyById(scope: Scope, keyId: string): Promise<KeyRecord | undefined>;
  findKeyByAlias(scope: Scope, keyAlias: string): Promise<KeyRecord | undefined>;
  countKeys(scope: Scope): Promise<number>;
  /**
   * How many keys of every project are in each state (states without keys may be left out):
   * for metrics, one grouped count. Optional, so that stores written before it still fit.
   */
  countKeysByState?(): Promise<KeyStateCounts>;
  /**
   * Renames a key of the project atomically with the alias rule: no other key of the project
   * has `keyAlias` (its own alias is allowed, a no-op). Durable when it resolves `ok`.
   * Only while the key is still in `fromState`, the state the caller checked the edit against
   * (a compare and set): a key that changed state meanwhile is `not-found`, as a missing one.
   */
  updateKeyAlias(scope: Scope, keyId: string, keyAlias: string, fromState: KeyState): Promise<UpdateKeyAliasResult>;
  /**
   * Replaces a key's description while it is still in `fromState` (as updateKeyAlias); resolves
   * false when the project has no such key or it changed state. Durable when it resolves true.
   */
  updateKeyDescription(scope: Scope, keyId: string, keyDescription: string, fromState: KeyState): Promise<boolean>;
  /**
   * The project's keys ordered by (creationDate, keyId), keyId compared by code unit. Keys
   * that exist for a whole pagination are returned exactly once, whatever is inserted meanwhile.
   */
  listKeys(scope: Scope, query: ListKeysQuery): Promise<ListKeysPage>;
  /**
   * Every key of every project, ordered by key ID (by code unit), after `afterKeyId` when
   * given, at most `limit`: for store-wide maintenance such as root key rotation.
   */
  scanKeys(afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]>;
  /**
   * Replaces a key's wrapped material if it still is `expected` (compare and swap); resolves
   * whether it did. Durable when it resolves true.
   */
  replaceWrappedMaterial(keyId: string, expected: Buffer, replacement: Buffer): Promise<boolean>;
  /**
   * Moves a key from state `from` to `to` and sets its scheduled deletion date, only if it is
   * still in `from` (compare and set on the state); resolves whether it did. Durable when true.
   */
  transitionKeyState(scope: Scope, keyId: string, change: KeyStateChange): Promise<boolean>;
  /**
   * Deletes at most `limit` keys pending deletion whose scheduled date is at or before `now`,
   * row and wrapped material, and resolves their IDs. Each key goes in one atomic step, so a
   * crash half way leaves every key either whole or gone; with several servers on one
   * database each key is deleted (and reported) by exactly one of them.
   */
  purgeKeysDueForDeletion(now: number, limit: number): Promise<string[]>;
  /**
   * Key rotation: sets a key's rotation settings while it is in state `requiredState`; resolves
   * false when the project has no such key in that state. Durable when it resolves true.
   */
  updateKeyRotation(scope: Scope, keyId: string, requiredState: KeyState, settings: KeyRotationSettings): Promise<boolean>;
  /**
   * Appends a material version to an enabled key (state 2) whose rotated materials are still
   * `expected`, and sets its last rotation time, atomically with `metaEquals`: 'changed' when the
   * key is gone, not enabled or was rotated or rewrapped meanwhile. Several servers adding to one
   * key with the same `expected` add once between them. Durable when it resolves 'added'.
   */
  addMaterialVersion(scope: Scope, keyId: string, addition: MaterialVersionAddition): Promise<AddMaterialVersionResult>;
  /**
   * Enabled keys (state 2) of every project with automatic rotation enabled whose interval has
   * passed at `now`: the later of the time rotation was enabled and the last rotation, plus the
   * interval in days, is at or before `now`. Ordered by key ID (by code unit), after `afterKeyId`.
   */
  findKeysDueForRotation(now: number, afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]>;
  /**
   * Replaces a key's rotated materials (all versions from 2 on, same count) if they still are
   * `expected` (compare and swap), for root key rotation; resolves whether it did.
   */
  replaceRotatedMaterials(keyId: string, expected: readonly Buffer[], replacement: readonly Buffer[]): Promise<boolean>;
  /** Store-wide settings (for example the root key check value). */
  getMeta(name: string): Promise<string | undefined>;
  /** Sets a setting unless it exists; resolves to the value now stored. */
  setMetaIfAbsent(name: string, value: string): Promise<string>;
  /**
   * Sets a setting to `value`, or removes it when `value` is undefined, if it now holds
   * `expected` (compare and swap); resolves whether it did.
   */
  compareAndSetMeta(name: string, expected: string, value: string | undefined): Promise<boolean>;
  close(): Promise<void>;
}
