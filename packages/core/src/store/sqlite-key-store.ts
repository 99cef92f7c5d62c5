import Database from 'better-sqlite3';
import { chmodSync, closeSync, constants, existsSync, openSync } from 'node:fs';
import type { AccessKeyRecord, AccessKeySummary } from '../credentials/access-key';
import type { AccessKeyStore, InsertAccessKeyResult } from '../credentials/access-key-store';
import { withScheduledDeletionDate, type KeyOrigin, type KeyRecord, type KeyState, type Scope } from '../keys/key-record';
import { DEFAULT_ROTATION_INTERVAL_DAYS, withRotationFields } from '../keys/key-record';
import { DAY_MS } from '../service/key-lifecycle';
import { decodeRotatedMaterials, encodeRotatedMaterials } from './rotated-materials';
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
import { SqliteKeyTags } from './sqlite-key-tags';
import type { KeyTagChange, KeyTagChangeResult, TaggedKeyRow } from './key-tag-store';

/** Schema migrations, applied in order; PRAGMA user_version records how many ran. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE keys (
     key_id                TEXT PRIMARY KEY,
     domain_id             TEXT NOT NULL,
     project_id            TEXT NOT NULL,
     key_alias             TEXT NOT NULL,
     key_description       TEXT NOT NULL,
     origin                TEXT NOT NULL CHECK (origin IN ('kms', 'external')),
     key_state             TEXT NOT NULL CHECK (key_state IN ('1', '2', '3', '4', '5')),
     enterprise_project_id TEXT NOT NULL,
     creation_date         INTEGER NOT NULL,
     wrapped_material      BLOB,
     UNIQUE (domain_id, project_id, key_alias)
   );
   CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Access keys: the SK only wrapped under the root key; projects as a JSON array of strings.
  `CREATE TABLE access_keys (
     access_key_id  TEXT PRIMARY KEY,
     name           TEXT NOT NULL,
     domain_id      TEXT NOT NULL,
     projects       TEXT NOT NULL,
     created_at     INTEGER NOT NULL,
     revoked_at     INTEGER,
     wrapped_secret BLOB NOT NULL
   );`,
  // Key lifecycle: when a key pending deletion is purged (epoch ms; NULL in every other state).
  `ALTER TABLE keys ADD COLUMN scheduled_deletion_date INTEGER;
   CREATE INDEX keys_due_for_deletion ON keys (scheduled_deletion_date) WHERE key_state = '4';`,
  // Key tags: one row per tag, gone with its key (ON DELETE CASCADE: the purge takes them in its step).
  `CREATE TABLE key_tags (
     key_id    TEXT NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
     tag_key   TEXT NOT NULL,
     tag_value TEXT NOT NULL,
     PRIMARY KEY (key_id, tag_key)
   );`,
  // Key rotation (docs/key-rotation.md): material versions 2, 3, … (rotated-materials.ts), the
  // automatic rotation settings (enabled since, interval in days) and the last rotation time.
  `ALTER TABLE keys ADD COLUMN rotated_materials BLOB;
   ALTER TABLE keys ADD COLUMN rotation_enabled_at INTEGER;
   ALTER TABLE keys ADD COLUMN rotation_interval_days INTEGER NOT NULL DEFAULT 365;
   ALTER TABLE keys ADD COLUMN last_rotation_time INTEGER;
   CREATE INDEX keys_rotation_enabled ON keys (key_id) WHERE rotation_enabled_at IS NOT NULL;`,
];

interface KeyRow {
  key_id: string;
  domain_id: string;
  project_id: string;
  key_alias: string;
  key_description: string;
  origin: KeyOrigin;
  key_state: KeyState;
  enterprise_project_id: string;
  creation_date: number;
  wrapped_material: Buffer | null;
  scheduled_deletion_date: number | null;
  rotated_materials: Buffer | null;
  rotation_enabled_at: number | null;
  rotation_interval_days: number;
  last_rotation_time: number | null;
}

interface AccessKeyRow {
  access_key_id: string;
  name: string;
  domain_id: string;
  projects: string;
  created_at: number;
  revoked_at: number | null;
  wrapped_secret: Buffer;
}

/**
 * The default store: one SQLite file. WAL with synchronous=FULL makes every committed
 * insert durable before insertKey resolves, so a key acknowledged by a 200 survives a
 * crash or power loss. The file is created with mode 0600.
 */
export class SqliteKeyStore implements KeyStore, AccessKeyStore {
  readonly #db: Database.Database;
  readonly #insert: (record: KeyRecord, conditions: InsertKeyConditions) => InsertKeyResult;
  readonly #updateAlias: (scope: Scope, keyId: string, keyAlias: string, fromState: KeyState) => UpdateKeyAliasResult;
  readonly #updateDescription: Database.Statement<[string, string, string, string, string]>;
  // Prepared once: preparing per call showed up at about 5% of a create-datakey profile.
  readonly #byId: Database.Statement<[string, string, string], KeyRow>;
  readonly #byAlias: Database.Statement<[string, string, string], KeyRow>;
  readonly #count: Database.Statement<[string, string], { n: number }>;
  readonly #countByState: Database.Statement<[], { key_state: KeyState; n: number }>;
  readonly #getMeta: Database.Statement<[string], { value: string }>;
  readonly #list: Database.Statement<
    [
      string,
      string,
      string | null,
      string | null,
      string | null,
      string | null,
      number | null,
      number | null,
      number,
      number,
      string,
      number,
    ],
    KeyRow
  >;
  readonly #countState: Database.Statement<
    [string, string, string | null, string | null, string | null, string | null, number | null, number | null],
    { n: number }
  >;
  readonly #insertMeta: Database.Statement<[string, string]>;
  readonly #scan: Database.Statement<[string | null, string | null, number], KeyRow>;
  readonly #replaceMaterial: Database.Statement<[Buffer, string, Buffer]>;
  readonly #updateMeta: Database.Statement<[string, string, string]>;
  readonly #deleteMeta: Database.Statement<[string, string]>;
  readonly #transition: Database.Statement<[string, number | null, string, string, string, string]>;
  readonly #purge: Database.Statement<[number, number], { key_id: string }>;
  readonly #updateRotation: Database.Statement<[number | null, number, string, string, string, string]>;
  readonly #addMaterialVersion: (scope: Scope, keyId: string, addition: MaterialVersionAddition) => AddMaterialVersionResult;
  readonly #dueForRotation: Database.Statement<[number, string | null, string | null, number], KeyRow>;
  readonly #replaceRotated: Database.Statement<[Buffer | null, string, Buffer | null]>;
  readonly #insertAccessKey: (record: AccessKeyRecord, metaEquals: { name: string; value: string } | undefined) => InsertAccessKeyResult;
  readonly #accessKeyById: Database.Statement<[string], AccessKeyRow>;
  readonly #listAccessKeys: Database.Statement<[], AccessKeyRow>;
  readonly #revokeAccessKey: Database.Statement<[number, string]>;
  readonly #scanAccessKeys: Database.Statement<[string | null, string | null, number], AccessKeyRow>;
  readonly #replaceSecret: Database.Statement<[Buffer, string, Buffer]>;
  readonly #tags: SqliteKeyTags;

  /**
   * @param options.busyTimeoutMs how long a statement waits for another connection's lock
   *   (default 5000 ms); past it SQLite fails with SQLITE_BUSY, which the server answers 503.
   */
  constructor(path: string, options: { readonly busyTimeoutMs?: number } = {}) {
    if (path !== ':memory:' && !existsSync(path)) {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o600));
    }
    this.#db = new Database(path);
    if (path !== ':memory:') chmodSync(path, 0o600);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    this.#db.pragma('foreign_keys = ON');
    // A purged key's wrapped material is overwritten with zeros in the file, not just unlinked.
    this.#db.pragma('secure_delete = ON');
    try {
      this.#migrate();
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#tags = new SqliteKeyTags(this.#db);

    this.#byId = this.#db.prepare('SELECT * FROM keys WHERE domain_id = ? AND project_id = ? AND key_id = ?');
    this.#byAlias = this.#db.prepare('SELECT * FROM keys WHERE domain_id = ? AND project_id = ? AND key_alias = ?');
    this.#count = this.#db.prepare('SELECT COUNT(*) AS n FROM keys WHERE domain_id = ? AND project_id = ?');
    this.#countByState = this.#db.prepare('SELECT key_state, COUNT(*) AS n FROM keys GROUP BY key_state');
    this.#getMeta = this.#db.prepare('SELECT value FROM meta WHERE name = ?');
    // key_id compares with BINARY collation: by code unit, as the memory and PostgreSQL stores.
    this.#list = this.#db.prepare(
      `SELECT * FROM keys WHERE domain_id = ? AND project_id = ? AND (? IS NULL OR key_state = ?)
         AND (? IS NULL OR enterprise_project_id = ?)
         AND (? IS NULL OR NOT (key_state = '4' AND scheduled_deletion_date IS NOT NULL AND scheduled_deletion_date <= ?))
         AND (creation_date > ? OR (creation_date = ? AND key_id > ?))
       ORDER BY creation_date, key_id LIMIT ?`,
    );
    this.#countState = this.#db.prepare(
      `SELECT COUNT(*) AS n FROM keys WHERE domain_id = ? AND project_id = ? AND (? IS NULL OR key_state = ?) AND (? IS NULL OR enterprise_project_id = ?)
         AND (? IS NULL OR NOT (key_state = '4' AND scheduled_deletion_date IS NOT NULL AND scheduled_deletion_date <= ?))`,
    );
    this.#insertMeta = this.#db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    this.#scan = this.#db.prepare('SELECT * FROM keys WHERE (? IS NULL OR key_id > ?) ORDER BY key_id LIMIT ?');
    this.#replaceMaterial = this.#db.prepare('UPDATE keys SET wrapped_material = ? WHERE key_id = ? AND wrapped_material = ?');
    this.#updateMeta = this.#db.prepare('UPDATE meta SET value = ? WHERE name = ? AND value = ?');
    this.#deleteMeta = this.#db.prepare('DELETE FROM meta WHERE name = ? AND value = ?');
    this.#transition = this.#db.prepare(
      'UPDATE keys SET key_state = ?, scheduled_deletion_date = ? WHERE domain_id = ? AND project_id = ? AND key_id = ? AND key_state = ?',
    );
    // One statement: every due key goes, or (a crash) none of this batch does.
    this.#purge = this.#db.prepare(
      `DELETE FROM keys WHERE key_id IN (
         SELECT key_id FROM keys WHERE key_state = '4' AND scheduled_deletion_date <= ? ORDER BY key_id LIMIT ?)
       RETURNING key_id`,
    );
    this.#updateRotation = this.#db.prepare(
      `UPDATE keys SET rotation_enabled_at = ?, rotation_interval_days = ?
        WHERE domain_id = ? AND project_id = ? AND key_id = ? AND key_state = ?`,
    );
    // IS compares NULL with NULL as equal: a key never rotated matches an empty expected list.
    const appendVersion = this.#db.prepare<[Buffer | null, number, string, string, string, Buffer | null]>(
      `UPDATE keys SET rotated_materials = ?, last_rotation_time = ?
        WHERE domain_id = ? AND project_id = ? AND key_id = ? AND key_state = '2' AND rotated_materials IS ?`,
    );
    // IMMEDIATE, as for inserts: the root key setting cannot change between the check and the update.
    const addVersionTransaction = this.#db.transaction((scope: Scope, keyId: string, addition: MaterialVersionAddition) => {
      if (this.#getMeta.get(addition.metaEquals.name)?.value !== addition.metaEquals.value) return 'meta-mismatch' as const;
      const expected = encodeRotatedMaterials(addition.expected);
      const next = encodeRotatedMaterials([...addition.expected, addition.wrappedMaterial]);
      const changes = appendVersion.run(next, addition.rotatedAt, scope.domainId, scope.projectId, keyId, expected).changes;
      return changes === 1 ? ('added' as const) : ('changed' as const);
    });
    this.#addMaterialVersion = (scope, keyId, addition) => addVersionTransaction.immediate(scope, keyId, addition);
    this.#dueForRotation = this.#db.prepare(
      `SELECT * FROM keys WHERE rotation_enabled_at IS NOT NULL AND key_state = '2'
          AND max(rotation_enabled_at, coalesce(last_rotation_time, 0)) + rotation_interval_days * ${DAY_MS} <= ?
          AND (? IS NULL OR key_id > ?)
        ORDER BY key_id LIMIT ?`,
    );
    this.#replaceRotated = this.#db.prepare('UPDATE keys SET rotated_materials = ? WHERE key_id = ? AND rotated_materials IS ?');
    const getMeta = this.#getMeta;
    const count = this.#count;
    const aliasTaken = this.#db.prepare<[string, string, string], { one: number }>(
      'SELECT 1 AS one FROM keys WHERE domain_id = ? AND project_id = ? AND key_alias = ?',
    );
    const insert = this.#db.prepare<KeyRow>(
      `INSERT INTO keys (key_id, domain_id, project_id, key_alias, key_description, origin, key_state,
                         enterprise_project_id, creation_date, wrapped_material, scheduled_deletion_date,
                         rotated_materials, rotation_enabled_at, rotation_interval_days, last_rotation_time)
       VALUES (@key_id, @domain_id, @project_id, @key_alias, @key_description, @origin, @key_state,
               @enterprise_project_id, @creation_date, @wrapped_material, @scheduled_deletion_date,
               @rotated_materials, @rotation_enabled_at, @rotation_interval_days, @last_rotation_time)`,
    );
    // IMMEDIATE takes the write lock before the checks, so two servers on one file
    // cannot both pass the quota check and then both insert.
    const transaction = this.#db.transaction((record: KeyRecord, conditions: InsertKeyConditions): InsertKeyResult => {
      const required = conditions.metaEquals;
      if (required && getMeta.get(required.name)?.value !== required.value) return { ok: false, reason: 'meta-mismatch' };
      if (aliasTaken.get(record.domainId, record.projectId, record.keyAlias)) return { ok: false, reason: 'duplicate-alias' };
      if (count.get(record.domainId, record.projectId)!.n >= conditions.maxKeysPerProject) return { ok: false, reason: 'quota-exceeded' };
      insert.run(toRow(record));
      return { ok: true };
    });
    this.#insert = (record, conditions) => transaction.immediate(record, conditions);

    const aliasTakenByOther = this.#db.prepare<[string, string, string, string], { one: number }>(
      'SELECT 1 AS one FROM keys WHERE domain_id = ? AND project_id = ? AND key_alias = ? AND key_id <> ?',
    );
    const setAlias = this.#db.prepare<[string, string, string, string, string]>(
      'UPDATE keys SET key_alias = ? WHERE domain_id = ? AND project_id = ? AND key_id = ? AND key_state = ?',
    );
    // IMMEDIATE, as for inserts: the alias check and the rename see no other writer in between.
    const renameTransaction = this.#db.transaction(
      (scope: Scope, keyId: string, keyAlias: string, fromState: KeyState): UpdateKeyAliasResult => {
        if (!this.#byId.get(scope.domainId, scope.projectId, keyId)) return { ok: false, reason: 'not-found' };
        if (aliasTakenByOther.get(scope.domainId, scope.projectId, keyAlias, keyId)) return { ok: false, reason: 'duplicate-alias' };
        if (setAlias.run(keyAlias, scope.domainId, scope.projectId, keyId, fromState).changes !== 1)
          return { ok: false, reason: 'not-found' };
        return { ok: true };
      },
    );
    this.#updateAlias = (scope, keyId, keyAlias, fromState) => renameTransaction.immediate(scope, keyId, keyAlias, fromState);
    this.#updateDescription = this.#db.prepare(
      'UPDATE keys SET key_description = ? WHERE domain_id = ? AND project_id = ? AND key_id = ? AND key_state = ?',
    );

    this.#accessKeyById = this.#db.prepare('SELECT * FROM access_keys WHERE access_key_id = ?');
    this.#listAccessKeys = this.#db.prepare('SELECT * FROM access_keys ORDER BY created_at, access_key_id');
    this.#revokeAccessKey = this.#db.prepare('UPDATE access_keys SET revoked_at = ? WHERE access_key_id = ? AND revoked_at IS NULL');
    this.#scanAccessKeys = this.#db.prepare(
      'SELECT * FROM access_keys WHERE (? IS NULL OR access_key_id > ?) ORDER BY access_key_id LIMIT ?',
    );
    this.#replaceSecret = this.#db.prepare('UPDATE access_keys SET wrapped_secret = ? WHERE access_key_id = ? AND wrapped_secret = ?');
    const accessKeyById = this.#accessKeyById;
    const insertAccessKey = this.#db.prepare<AccessKeyRow>(
      `INSERT INTO access_keys (access_key_id, name, domain_id, projects, created_at, revoked_at, wrapped_secret)
       VALUES (@access_key_id, @name, @domain_id, @projects, @created_at, @revoked_at, @wrapped_secret)`,
    );
    const accessKeyTransaction = this.#db.transaction(
      (record: AccessKeyRecord, metaEquals: { name: string; value: string } | undefined): InsertAccessKeyResult => {
        if (metaEquals && getMeta.get(metaEquals.name)?.value !== metaEquals.value) return { ok: false, reason: 'meta-mismatch' };
        if (accessKeyById.get(record.accessKeyId)) return { ok: false, reason: 'duplicate-access-key-id' };
        insertAccessKey.run(toAccessKeyRow(record));
        return { ok: true };
      },
    );
    this.#insertAccessKey = (record, metaEquals) => accessKeyTransaction.immediate(record, metaEquals);
  }

  async insertAccessKey(
    record: AccessKeyRecord,
    conditions: { readonly metaEquals?: { readonly name: string; readonly value: string } } = {},
  ): Promise<InsertAccessKeyResult> {
    return this.#insertAccessKey(record, conditions.metaEquals);
  }

  async findAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.#accessKeyById.get(accessKeyId);
    return row && fromAccessKeyRow(row);
  }

  async listAccessKeys(): Promise<AccessKeySummary[]> {
    return this.#listAccessKeys.all().map((row) => {
      const { wrappedSecret: _omitted, ...summary } = fromAccessKeyRow(row);
      return summary;
    });
  }

  async revokeAccessKey(accessKeyId: string, revokedAt: number): Promise<boolean> {
    return this.#revokeAccessKey.run(revokedAt, accessKeyId).changes === 1;
  }

  async scanAccessKeys(afterAccessKeyId: string | undefined, limit: number): Promise<AccessKeyRecord[]> {
    const after = afterAccessKeyId ?? null;
    return this.#scanAccessKeys.all(after, after, limit).map(fromAccessKeyRow);
  }

  async replaceWrappedSecret(accessKeyId: string, expected: Buffer, replacement: Buffer): Promise<boolean> {
    return this.#replaceSecret.run(replacement, accessKeyId, expected).changes === 1;
  }

  async insertKey(record: KeyRecord, conditions: InsertKeyConditions): Promise<InsertKeyResult> {
    return this.#insert(record, conditions);
  }

  async findKeyById(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    const row = this.#byId.get(scope.domainId, scope.projectId, keyId);
    return row && fromRow(row);
  }

  async findKeyByAlias(scope: Scope, keyAlias: string): Promise<KeyRecord | undefined> {
    const row = this.#byAlias.get(scope.domainId, scope.projectId, keyAlias);
    return row && fromRow(row);
  }

  async updateKeyAlias(scope: Scope, keyId: string, keyAlias: string, fromState: KeyState): Promise<UpdateKeyAliasResult> {
    return this.#updateAlias(scope, keyId, keyAlias, fromState);
  }

  async updateKeyDescription(scope: Scope, keyId: string, keyDescription: string, fromState: KeyState): Promise<boolean> {
    return this.#updateDescription.run(keyDescription, scope.domainId, scope.projectId, keyId, fromState).changes === 1;
  }

  async countKeys(scope: Scope): Promise<number> {
    return this.#count.get(scope.domainId, scope.projectId)!.n;
  }

  async countKeysByState(): Promise<KeyStateCounts> {
    const rows = this.#countByState.all();
    return Object.fromEntries(rows.map((row) => [row.key_state, row.n]));
  }

  async listKeys(scope: Scope, query: ListKeysQuery): Promise<ListKeysPage> {
    const state = query.keyState ?? null;
    const project = query.enterpriseProjectId ?? null;
    const afterDate = query.after?.creationDate ?? -1;
    const afterId = query.after?.keyId ?? '';
    const gone = query.goneAt ?? null;
    // One read transaction: the page and the total see the same snapshot.
    return this.#db
      .transaction(() => {
        const rows = this.#list.all(
          scope.domainId,
          scope.projectId,
          state,
          state,
          project,
          project,
          gone,
          gone,
          afterDate,
          afterDate,
          afterId,
          query.limit + 1,
        );
        const total = this.#countState.get(scope.domainId, scope.projectId, state, state, project, project, gone, gone)!.n;
        return { keys: rows.slice(0, query.limit).map(fromRow), truncated: rows.length > query.limit, total };
      })
      .deferred();
  }

  async scanKeys(afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]> {
    const after = afterKeyId ?? null;
    return this.#scan.all(after, after, limit).map(fromRow);
  }

  async replaceWrappedMaterial(keyId: string, expected: Buffer, replacement: Buffer): Promise<boolean> {
    return this.#replaceMaterial.run(replacement, keyId, expected).changes === 1;
  }

  async transitionKeyState(scope: Scope, keyId: string, change: KeyStateChange): Promise<boolean> {
    const result = this.#transition.run(change.to, change.scheduledDeletionDate, scope.domainId, scope.projectId, keyId, change.from);
    return result.changes === 1;
  }

  async purgeKeysDueForDeletion(now: number, limit: number): Promise<string[]> {
    return this.#purge.all(now, limit).map((row) => row.key_id);
  }

  async findKeyTags(scope: Scope, keyId: string): Promise<KeyTag[] | undefined> {
    return this.#tags.find(scope, keyId);
  }

  async changeKeyTags(scope: Scope, keyId: string, change: KeyTagChange, maxTags: number): Promise<KeyTagChangeResult> {
    return this.#tags.change(scope, keyId, change, maxTags);
  }

  async listProjectKeyTags(scope: Scope): Promise<TaggedKeyRow[]> {
    return this.#tags.listProject(scope);
  }

  async updateKeyRotation(scope: Scope, keyId: string, requiredState: KeyState, settings: KeyRotationSettings): Promise<boolean> {
    const { rotationEnabledAt, rotationIntervalDays } = settings;
    return (
      this.#updateRotation.run(rotationEnabledAt, rotationIntervalDays, scope.domainId, scope.projectId, keyId, requiredState).changes === 1
    );
  }

  async addMaterialVersion(scope: Scope, keyId: string, addition: MaterialVersionAddition): Promise<AddMaterialVersionResult> {
    return this.#addMaterialVersion(scope, keyId, addition);
  }

  async findKeysDueForRotation(now: number, afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]> {
    const after = afterKeyId ?? null;
    return this.#dueForRotation.all(now, after, after, limit).map(fromRow);
  }

  async replaceRotatedMaterials(keyId: string, expected: readonly Buffer[], replacement: readonly Buffer[]): Promise<boolean> {
    if (expected.length === 0 || replacement.length !== expected.length) return false;
    return this.#replaceRotated.run(encodeRotatedMaterials(replacement), keyId, encodeRotatedMaterials(expected)).changes === 1;
  }

  async getMeta(name: string): Promise<string | undefined> {
    return this.#getMeta.get(name)?.value;
  }

  async setMetaIfAbsent(name: string, value: string): Promise<string> {
    this.#insertMeta.run(name, value);
    return (await this.getMeta(name))!;
  }

  async compareAndSetMeta(name: string, expected: string, value: string | undefined): Promise<boolean> {
    const result = value === undefined ? this.#deleteMeta.run(name, expected) : this.#updateMeta.run(value, name, expected);
    return result.changes === 1;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #migrate(): void {
    // IMMEDIATE takes the write lock before user_version is read: processes opening a new file
    // together (cluster workers) apply each migration once; the others then find nothing to do.
    this.#db
      .transaction(() => {
        const applied = this.#db.pragma('user_version', { simple: true }) as number;
        if (applied > SQLITE_MIGRATIONS.length) {
          throw new Error(`the database schema (version ${applied}) is newer than this server (version ${SQLITE_MIGRATIONS.length})`);
        }
        for (let version = applied; version < SQLITE_MIGRATIONS.length; version += 1) {
          this.#db.exec(SQLITE_MIGRATIONS[version]!);
          this.#db.pragma(`user_version = ${version + 1}`);
        }
      })
      .immediate();
  }
}

function toRow(record: KeyRecord): KeyRow {
  return {
    key_id: record.keyId,
    domain_id: record.domainId,
    project_id: record.projectId,
    key_alias: record.keyAlias,
    key_description: record.keyDescription,
    origin: record.origin,
    key_state: record.keyState,
    enterprise_project_id: record.enterpriseProjectId,
    creation_date: record.creationDate,
    wrapped_material: record.wrappedMaterial,
    scheduled_deletion_date: record.scheduledDeletionDate ?? null,
    rotated_materials: encodeRotatedMaterials(record.rotatedMaterials ?? []),
    rotation_enabled_at: record.rotationEnabledAt ?? null,
    rotation_interval_days: record.rotationIntervalDays ?? DEFAULT_ROTATION_INTERVAL_DAYS,
    last_rotation_time: record.lastRotationTime ?? null,
  };
}

function fromRow(row: KeyRow): KeyRecord {
  return {
    keyId: row.key_id,
    domainId: row.domain_id,
    projectId: row.project_id,
    keyAlias: row.key_alias,
    keyDescription: row.key_description,
    origin: row.origin,
    keyState: row.key_state,
    enterpriseProjectId: row.enterprise_project_id,
    creationDate: row.creation_date,
    wrappedMaterial: row.wrapped_material,
    ...withScheduledDeletionDate(row.scheduled_deletion_date),
    ...withRotationFields({
      rotatedMaterials: decodeRotatedMaterials(row.rotated_materials),
      rotationEnabledAt: row.rotation_enabled_at,
      rotationIntervalDays: row.rotation_interval_days,
      lastRotationTime: row.last_rotation_time,
    }),
  };
}

function toAccessKeyRow(record: AccessKeyRecord): AccessKeyRow {
  return {
    access_key_id: record.accessKeyId,
    name: record.name,
    domain_id: record.domainId,
    projects: JSON.stringify(record.projects),
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    wrapped_secret: record.wrappedSecret,
  };
}

function fromAccessKeyRow(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    name: row.name,
    domainId: row.domain_id,
    projects: JSON.parse(row.projects) as string[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    wrappedSecret: row.wrapped_secret,
  };
}
