import type { AccessKeyRecord, AccessKeySummary } from '../credentials/access-key';
import type { AccessKeyStore, InsertAccessKeyResult } from '../credentials/access-key-store';
import type { KeyRecord, Scope } from '../keys/key-record';
import { KeyState, withScheduledDeletionDate } from '../keys/key-record';
import { DEFAULT_ROTATION_INTERVAL_DAYS } from '../keys/key-record';
import { isDueForRotation } from '../service/key-rotation';
import type {
  AddMaterialVersionResult,
  KeyRotationSettings,
  MaterialVersionAddition,
  InsertKeyConditions,
  InsertKeyResult,
  KeyStateChange,
  KeyStateCounts,
  KeyStore,
  ListKeysPage,
  ListKeysQuery,
  UpdateKeyAliasResult,
} from './key-store';
import type { KeyTag } from '../keys/key-tags';
import { applyKeyTagChange } from './key-tag-change';
import type { KeyTagChange, KeyTagChangeResult, TaggedKeyRow } from './key-tag-store';

/** In-process store for tests and throwaway servers: nothing survives a restart. */
export class MemoryKeyStore implements KeyStore, AccessKeyStore {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #meta = new Map<string, string>();
  readonly #accessKeys = new Map<string, AccessKeyRecord>();
  /** Key ID -> its tags (absent: none). */
  readonly #tags = new Map<string, readonly KeyTag[]>();

  async insertKey(record: KeyRecord, conditions: InsertKeyConditions): Promise<InsertKeyResult> {
    const required = conditions.metaEquals;
    if (required && this.#meta.get(required.name) !== required.value) return { ok: false, reason: 'meta-mismatch' };
    const inProject = [...this.#keys.values()].filter((key) => sameScope(key, record));
    if (inProject.some((key) => key.keyAlias === record.keyAlias)) return { ok: false, reason: 'duplicate-alias' };
    if (inProject.length >= conditions.maxKeysPerProject) return { ok: false, reason: 'quota-exceeded' };
    if (this.#keys.has(record.keyId)) throw new Error('key ID collision');
    this.#keys.set(record.keyId, copy(record));
    return { ok: true };
  }

  async findKeyById(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    const key = this.#keys.get(keyId);
    return key && sameScope(key, scope) ? copy(key) : undefined;
  }

  async findKeyByAlias(scope: Scope, keyAlias: string): Promise<KeyRecord | undefined> {
    for (const key of this.#keys.values()) {
      if (sameScope(key, scope) && key.keyAlias === keyAlias) return copy(key);
    }
    return undefined;
  }

  async updateKeyAlias(scope: Scope, keyId: string, keyAlias: string, fromState: KeyState): Promise<UpdateKeyAliasResult> {
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope) || key.keyState !== fromState) return { ok: false, reason: 'not-found' };
    for (const other of this.#keys.values()) {
      if (other.keyId !== keyId && sameScope(other, scope) && other.keyAlias === keyAlias) return { ok: false, reason: 'duplicate-alias' };
    }
    this.#keys.set(keyId, { ...key, keyAlias });
    return { ok: true };
  }

  async updateKeyDescription(scope: Scope, keyId: string, keyDescription: string, fromState: KeyState): Promise<boolean> {
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope) || key.keyState !== fromState) return false;
    this.#keys.set(keyId, { ...key, keyDescription });
    return true;
  }

  async countKeys(scope: Scope): Promise<number> {
    return [...this.#keys.values()].filter((key) => sameScope(key, scope)).length;
  }

  async countKeysByState(): Promise<KeyStateCounts> {
    const counts: KeyStateCounts = {};
    for (const key of this.#keys.values()) counts[key.keyState] = (counts[key.keyState] ?? 0) + 1;
    return counts;
  }

  async listKeys(scope: Scope, query: ListKeysQuery): Promise<ListKeysPage> {
    const matching = [...this.#keys.values()]
      .filter(
        (key) =>
          sameScope(key, scope) &&
          (query.keyState === undefined || key.keyState === query.keyState) &&
          (query.enterpriseProjectId === undefined || key.enterpriseProjectId === query.enterpriseProjectId) &&
          !(
            query.goneAt !== undefined &&
            key.keyState === KeyState.PendingDeletion &&
            key.scheduledDeletionDate != null &&
            key.scheduledDeletionDate <= query.goneAt
          ),
      )
      .sort(compareKeys);
    const after = query.after;
    const following = after ? matching.filter((key) => compareKeys(key, after) > 0) : matching;
    return { keys: following.slice(0, query.limit).map(copy), truncated: following.length > query.limit, total: matching.length };
  }

  async scanKeys(afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]> {
    return [...this.#keys.values()]
      .filter((key) => afterKeyId === undefined || key.keyId > afterKeyId)
      .sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  async replaceWrappedMaterial(keyId: string, expected: Buffer, replacement: Buffer): Promise<boolean> {
    const key = this.#keys.get(keyId);
    if (!key?.wrappedMaterial || !key.wrappedMaterial.equals(expected)) return false;
    this.#keys.set(keyId, { ...key, wrappedMaterial: Buffer.from(replacement) });
    return true;
  }

  async transitionKeyState(scope: Scope, keyId: string, change: KeyStateChange): Promise<boolean> {
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope) || key.keyState !== change.from) return false;
    const { scheduledDeletionDate: _previous, ...rest } = key;
    this.#keys.set(keyId, { ...rest, keyState: change.to, ...withScheduledDeletionDate(change.scheduledDeletionDate) });
    return true;
  }

  async purgeKeysDueForDeletion(now: number, limit: number): Promise<string[]> {
    const due = [...this.#keys.values()]
      .filter((key) => key.keyState === KeyState.PendingDeletion && key.scheduledDeletionDate != null && key.scheduledDeletionDate <= now)
      .slice(0, limit);
    for (const key of due) {
      key.wrappedMaterial?.fill(0);
      for (const material of key.rotatedMaterials ?? []) material.fill(0);
      this.#keys.delete(key.keyId);
      this.#tags.delete(key.keyId);
    }
    return due.map((key) => key.keyId);
  }

  async findKeyTags(scope: Scope, keyId: string): Promise<KeyTag[] | undefined> {
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope)) return undefined;
    return [...(this.#tags.get(keyId) ?? [])];
  }

  async changeKeyTags(scope: Scope, keyId: string, change: KeyTagChange, maxTags: number): Promise<KeyTagChangeResult> {
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope)) return { ok: false, reason: 'not-found' };
    const next = applyKeyTagChange(this.#tags.get(keyId) ?? [], change);
    if (next.length > maxTags) return { ok: false, reason: 'too-many-tags' };
    if (next.length === 0) this.#tags.delete(keyId);
    else this.#tags.set(keyId, next);
    return { ok: true };
  }

  async listProjectKeyTags(scope: Scope): Promise<TaggedKeyRow[]> {
    const rows: TaggedKeyRow[] = [];
    for (const [keyId, tags] of this.#tags) {
      const key = this.#keys.get(keyId);
      if (key && sameScope(key, scope)) rows.push({ keyId, tags: [...tags] });
    }
    return rows.sort((a, b) => byCodeUnit(a.keyId, b.keyId));
  }

  async updateKeyRotation(scope: Scope, keyId: string, requiredState: KeyState, settings: KeyRotationSettings): Promise<boolean> {
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope) || key.keyState !== requiredState) return false;
    const { rotationEnabledAt: _enabledAt, rotationIntervalDays: _interval, ...rest } = key;
    this.#keys.set(keyId, {
      ...rest,
      ...(settings.rotationEnabledAt === null ? {} : { rotationEnabledAt: settings.rotationEnabledAt }),
      ...(settings.rotationIntervalDays === DEFAULT_ROTATION_INTERVAL_DAYS ? {} : { rotationIntervalDays: settings.rotationIntervalDays }),
    });
    return true;
  }

  async addMaterialVersion(scope: Scope, keyId: string, addition: MaterialVersionAddition): Promise<AddMaterialVersionResult> {
    if (this.#meta.get(addition.metaEquals.name) !== addition.metaEquals.value) return 'meta-mismatch';
    const key = this.#keys.get(keyId);
    if (!key || !sameScope(key, scope) || key.keyState !== KeyState.Enabled) return 'changed';
    if (!sameMaterials(key.rotatedMaterials ?? [], addition.expected)) return 'changed';
    const rotatedMaterials = [...(key.rotatedMaterials ?? []), Buffer.from(addition.wrappedMaterial)];
    this.#keys.set(keyId, { ...key, rotatedMaterials, lastRotationTime: addition.rotatedAt });
    return 'added';
  }

  async findKeysDueForRotation(now: number, afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]> {
    return [...this.#keys.values()]
      .filter((key) => (afterKeyId === undefined || key.keyId > afterKeyId) && isDueForRotation(key, now))
      .sort((a, b) => byCodeUnit(a.keyId, b.keyId))
      .slice(0, limit)
      .map(copy);
  }

  async replaceRotatedMaterials(keyId: string, expected: readonly Buffer[], replacement: readonly Buffer[]): Promise<boolean> {
    const key = this.#keys.get(keyId);
    if (!key || expected.length === 0 || replacement.length !== expected.length) return false;
    if (!sameMaterials(key.rotatedMaterials ?? [], expected)) return false;
    this.#keys.set(keyId, { ...key, rotatedMaterials: replacement.map((material) => Buffer.from(material)) });
    return true;
  }

  async getMeta(name: string): Promise<string | undefined> {
    return this.#meta.get(name);
  }

  async setMetaIfAbsent(name: string, value: string): Promise<string> {
    if (!this.#meta.has(name)) this.#meta.set(name, value);
    return this.#meta.get(name)!;
  }

  async compareAndSetMeta(name: string, expected: string, value: string | undefined): Promise<boolean> {
    if (this.#meta.get(name) !== expected) return false;
    if (value === undefined) this.#meta.delete(name);
    else this.#meta.set(name, value);
    return true;
  }

  async insertAccessKey(
    record: AccessKeyRecord,
    conditions: { readonly metaEquals?: { readonly name: string; readonly value: string } } = {},
  ): Promise<InsertAccessKeyResult> {
    const required = conditions.metaEquals;
    if (required && this.#meta.get(required.name) !== required.value) return { ok: false, reason: 'meta-mismatch' };
    if (this.#accessKeys.has(record.accessKeyId)) return { ok: false, reason: 'duplicate-access-key-id' };
    this.#accessKeys.set(record.accessKeyId, copyAccessKey(record));
    return { ok: true };
  }

  async findAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const found = this.#accessKeys.get(accessKeyId);
    return found && copyAccessKey(found);
  }

  async listAccessKeys(): Promise<AccessKeySummary[]> {
    return [...this.#accessKeys.values()]
      .sort((a, b) => a.createdAt - b.createdAt || byCodeUnit(a.accessKeyId, b.accessKeyId))
      .map(({ wrappedSecret: _omitted, ...summary }) => ({ ...summary, projects: [...summary.projects] }));
  }

  async revokeAccessKey(accessKeyId: string, revokedAt: number): Promise<boolean> {
    const found = this.#accessKeys.get(accessKeyId);
    if (!found || found.revokedAt !== null) return false;
    this.#accessKeys.set(accessKeyId, { ...found, revokedAt });
    return true;
  }

  async scanAccessKeys(afterAccessKeyId: string | undefined, limit: number): Promise<AccessKeyRecord[]> {
    return [...this.#accessKeys.values()]
      .filter((key) => afterAccessKeyId === undefined || key.accessKeyId > afterAccessKeyId)
      .sort((a, b) => byCodeUnit(a.accessKeyId, b.accessKeyId))
      .slice(0, limit)
      .map(copyAccessKey);
  }

  async replaceWrappedSecret(accessKeyId: string, expected: Buffer, replacement: Buffer): Promise<boolean> {
    const found = this.#accessKeys.get(accessKeyId);
    if (!found || !found.wrappedSecret.equals(expected)) return false;
    this.#accessKeys.set(accessKeyId, { ...found, wrappedSecret: Buffer.from(replacement) });
    return true;
  }

  async close(): Promise<void> {}
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copyAccessKey(record: AccessKeyRecord): AccessKeyRecord {
  return { ...record, projects: [...record.projects], wrappedSecret: Buffer.from(record.wrappedSecret) };
}

/** The list order: creation date, then key ID by code unit (as SQLite's BINARY and PostgreSQL's "C"). */
function compareKeys(a: { creationDate: number; keyId: string }, b: { creationDate: number; keyId: string }): number {
  if (a.creationDate !== b.creationDate) return a.creationDate - b.creationDate;
  return a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0;
}

function sameScope(key: Scope, scope: Scope): boolean {
  return key.domainId === scope.domainId && key.projectId === scope.projectId;
}

/** Callers get their own copy, so mutating a returned record cannot change the store. */
function copy(record: KeyRecord): KeyRecord {
  const copied: KeyRecord = { ...record, wrappedMaterial: record.wrappedMaterial ? Buffer.from(record.wrappedMaterial) : null };
  if (!record.rotatedMaterials) return copied;
  if (record.rotatedMaterials.length === 0) {
    const { rotatedMaterials: _empty, ...rest } = copied;
    return rest;
  }
  return { ...copied, rotatedMaterials: record.rotatedMaterials.map((material) => Buffer.from(material)) };
}

function sameMaterials(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((material, i) => material.equals(b[i]!));
}
