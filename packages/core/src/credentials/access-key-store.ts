import type { AccessKeyRecord, AccessKeySummary } from './access-key';

export type InsertAccessKeyResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'duplicate-access-key-id' | 'meta-mismatch' };

/**
 * Durable storage of access keys, beside the key store's tables (so every instance sharing a
 * PostgreSQL database sees the same keys). Only wrapped secrets pass through it.
 */
export interface AccessKeyStore {
  /**
   * Inserts an access key; its ID is unique (names need not be: rotating a principal's key
   * means a second key of the same name for a while). With
   * `metaEquals`, only while that store setting holds that value (checked atomically: the
   * secret is wrapped under the active root key). Durable when it resolves ok.
   */
  insertAccessKey(
    record: AccessKeyRecord,
    conditions?: { readonly metaEquals?: { readonly name: string; readonly value: string } },
  ): Promise<InsertAccessKeyResult>;
  /** The access key with this ID, live or revoked. */
  findAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Every access key, live and revoked, oldest first (then by ID), without secrets. */
  listAccessKeys(): Promise<AccessKeySummary[]>;
  /** Marks a live access key revoked at `revokedAt`; resolves whether it was live. Durable when it resolves. */
  revokeAccessKey(accessKeyId: string, revokedAt: number): Promise<boolean>;
  /** Access keys ordered by ID (by code unit), after `afterAccessKeyId` when given, at most `limit`: for root key rotation. */
  scanAccessKeys(afterAccessKeyId: string | undefined, limit: number): Promise<AccessKeyRecord[]>;
  /** Replaces a wrapped secret if it still is `expected` (compare and swap); resolves whether it did. */
  replaceWrappedSecret(accessKeyId: string, expected: Buffer, replacement: Buffer): Promise<boolean>;
}
