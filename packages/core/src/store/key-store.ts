import type { KeyRecord, Scope } from '../keys/key-record';

export type InsertKeyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'duplicate-alias' | 'quota-exceeded' };

/**
 * Durable storage of customer master keys. Every method is async so that a networked
 * store (PostgreSQL) fits the same interface. Lookups are always scoped to a domain and
 * project: a store never returns another project's key.
 */
export interface KeyStore {
  /**
   * Inserts a key atomically with its two rules: the alias is unique in the project,
   * and the project holds at most `maxKeysPerProject` keys. When it resolves `ok`, the
   * key is durable.
   */
  insertKey(record: KeyRecord, limits: { readonly maxKeysPerProject: number }): Promise<InsertKeyResult>;
  findKeyById(scope: Scope, keyId: string): Promise<KeyRecord | undefined>;
  findKeyByAlias(scope: Scope, keyAlias: string): Promise<KeyRecord | undefined>;
  countKeys(scope: Scope): Promise<number>;
  /** Store-wide settings (for example the root key check value). */
  getMeta(name: string): Promise<string | undefined>;
  /** Sets a setting unless it exists; resolves to the value now stored. */
  setMetaIfAbsent(name: string, value: string): Promise<string>;
  close(): Promise<void>;
}
