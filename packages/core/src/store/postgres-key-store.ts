import { Pool } from 'pg';
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
import { advisoryLockKey } from './postgres-locks';
import type { KeyTag } from '../keys/key-tags';
import { changePostgresKeyTags, findPostgresKeyTags, listPostgresProjectKeyTags } from './postgres-key-tags';
import type { KeyTagChange, KeyTagChangeResult, TaggedKeyRow } from './key-tag-store';
import { migrate, rollbackAndRelease } from './postgres-migrations';

export interface PostgresKeyStoreOptions {
  /** `postgres://user:password@host:port/database`; query parameters (sslmode, options, …) as the pg driver reads them. */
  readonly connectionString: string;
  /** Most connections the pool opens (default 10). */
  readonly maxConnections?: number;
  /**
   * Longest wait for a connection: for a free pooled one, or for a new one to be set up
   * (default 5000 ms). Past it the call fails as unavailable instead of waiting on.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Longest a statement may run (default 10000 ms): the database cancels it (statement_timeout),
   * and the driver gives up on an answer that does not come (a frozen or unreachable server).
   */
  readonly queryTimeoutMs?: number;
  /**
   * Told when a pooled connection fails, idle or in use (for example the database restarted
   * or terminated it). The pool drops it and opens another when needed; without a listener such
   * an error would crash the process.
   */
  readonly onConnectionError?: (error: Error) => void;
}

/** The timeouts when none are given (the server always gives its own, from its config/defaults.ts). */
export const POSTGRES_TIMEOUT_DEFAULTS = Object.freeze({ connectTimeoutMs: 5_000, queryTimeoutMs: 10_000 });
/**
 * How much longer than statement_timeout the driver waits for an answer: the database's own
 * cancel comes first and keeps the connection usable; the driver's only fires when the
 * database cannot answer at all.
 */
const CLIENT_READ_TIMEOUT_MARGIN_MS = 500;

interface KeyRow {
  key_id: string;
  domain_id: string;
  project_id: string;
  key_alias: string;
  key_description: Buffer;
  origin: KeyOrigin;
  key_state: KeyState;
  enterprise_project_id: string;
  /** bigint: the driver returns it as a decimal string. */
  creation_date: string;
  wrapped_material: Buffer | null;
  /** bigint as a decimal string, or null. */
  scheduled_deletion_date: string | null;
  rotated_materials: Buffer | null;
  /** bigint as a decimal string, or null. */
  rotation_enabled_at: string | null;
  rotation_interval_days: number;
  /** bigint as a decimal string, or null. */
  last_rotation_time: string | null;
}

const COLUMNS =
  'key_id, domain_id, project_id, key_alias, key_description, origin, key_state, enterprise_project_id, creation_date, wrapped_material, scheduled_deletion_date, ' +
  'rotated_materials, rotation_enabled_at, rotation_interval_days, last_rotation_time';
interface AccessKeyRow {
  access_key_id: string;
  name: string;
  domain_id: string;
  projects: string[];
  /** bigint: the driver returns it as a decimal string. */
  created_at: string;
  revoked_at: string | null;
  wrapped_secret: Buffer;
}

const ACCESS_KEY_COLUMNS = 'access_key_id, name, domain_id, projects, created_at, revoked_at, wrapped_secret';

/**
 * A store in PostgreSQL, for several servers sharing one database. Tables live in the first
 * schema on the connection's search_path; migrations run when the store opens.
 *
 * insertKey serialises inserts per project with a transaction-scoped advisory lock, so
 * the alias and quota checks and the insert are atomic across every process using the
 * database. A key is acknowledged only after COMMIT returns, and open() refuses
 * synchronous_commit=off, so an acknowledged key is flushed to disk.
 */
export class PostgresKeyStore implements KeyStore, AccessKeyStore {
  readonly #pool: Pool;
  #closing: Promise<void> | undefined;

  private constructor(pool: Pool) {
    this.#pool = pool;
  }

  static async open(options: PostgresKeyStoreOptions): Promise<PostgresKeyStore> {
    const queryTimeoutMs = options.queryTimeoutMs ?? POSTGRES_TIMEOUT_DEFAULTS.queryTimeoutMs;
    const pool = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? POSTGRES_TIMEOUT_DEFAULTS.connectTimeoutMs,
      statement_timeout: queryTimeoutMs,
      query_timeout: queryTimeoutMs + CLIENT_READ_TIMEOUT_MARGIN_MS,
      // A peer that vanished without closing (host down, network cut) is found by TCP keepalive.
      keepAlive: true,
      application_name: 'openkms',
    });
    const onConnectionError = (error: Error) => options.onConnectionError?.(error);
    // The pool listens on idle connections only; a checked-out connection whose server goes away
    // (between two queries of a transaction) emits 'error' too, so every connection gets a
    // listener for its whole life. The next query on it then fails and the caller discards it.
    pool.on('connect', (client) => client.on('error', onConnectionError));
    // The pool re-emits an idle connection's error, which the listener above has reported already.
    pool.on('error', () => undefined);
    try {
      await migrate(pool);
      await requireDurableCommits(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresKeyStore(pool);
  }

  async insertKey(record: KeyRecord, conditions: InsertKeyConditions): Promise<InsertKeyResult> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // One holder per project at a time, database-wide: a second process's insert waits here
      // and its checks below (a new snapshot, READ COMMITTED) then see the first one's key.
      await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('openkms.project-keys', record.domainId, record.projectId)]);
      const { rows } = await client.query<{ alias_taken: boolean; n: string }>(
        `SELECT EXISTS (SELECT 1 FROM keys WHERE domain_id = $1 AND project_id = $2 AND key_alias = $3) AS alias_taken,
                (SELECT count(*) FROM keys WHERE domain_id = $1 AND project_id = $2) AS n`,
        [record.domainId, record.projectId, record.keyAlias],
      );
      const check = rows[0]!;
      let result: InsertKeyResult = { ok: true };
      const required = conditions.metaEquals;
      // FOR SHARE holds the setting until COMMIT: a compareAndSetMeta of it waits for this insert.
      const meta =
        required && (await client.query<{ value: string }>('SELECT value FROM meta WHERE name = $1 FOR SHARE', [required.name])).rows[0];
      if (required && meta?.value !== required.value) result = { ok: false, reason: 'meta-mismatch' };
      else if (check.alias_taken) result = { ok: false, reason: 'duplicate-alias' };
      else if (Number(check.n) >= conditions.maxKeysPerProject) result = { ok: false, reason: 'quota-exceeded' };
      if (!result.ok) {
        await client.query('ROLLBACK');
        client.release();
        return result;
      }
      await client.query(`INSERT INTO keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, [
        record.keyId,
        record.domainId,
        record.projectId,
        record.keyAlias,
        Buffer.from(record.keyDescription, 'utf8'),
        record.origin,
        record.keyState,
        record.enterpriseProjectId,
        record.creationDate,
        record.wrappedMaterial,
        record.scheduledDeletionDate ?? null,
        encodeRotatedMaterials(record.rotatedMaterials ?? []),
        record.rotationEnabledAt ?? null,
        record.rotationIntervalDays ?? DEFAULT_ROTATION_INTERVAL_DAYS,
        record.lastRotationTime ?? null,
      ]);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await rollbackAndRelease(client, error);
      throw error;
    }
  }

  async findKeyById(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    const { rows } = await this.#pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM keys WHERE domain_id = $1 AND project_id = $2 AND key_id = $3`,
      [scope.domainId, scope.projectId, keyId],
    );
    return rows[0] && fromRow(rows[0]);
  }

  async findKeyByAlias(scope: Scope, keyAlias: string): Promise<KeyRecord | undefined> {
    const { rows } = await this.#pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM keys WHERE domain_id = $1 AND project_id = $2 AND key_alias = $3`,
      [scope.domainId, scope.projectId, keyAlias],
    );
    return rows[0] && fromRow(rows[0]);
  }

  async countKeys(scope: Scope): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM keys WHERE domain_id = $1 AND project_id = $2', [
      scope.domainId,
      scope.projectId,
    ]);
    return Number(rows[0]!.n);
  }

  async countKeysByState(): Promise<KeyStateCounts> {
    const { rows } = await this.#pool.query<{ key_state: KeyState; n: string }>(
      'SELECT key_state, count(*) AS n FROM keys GROUP BY key_state',
    );
    return Object.fromEntries(rows.map((row) => [row.key_state, Number(row.n)]));
  }

  /** The connection pool now: connections open, of them idle, and callers waiting for one. */
  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number } {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  async listKeys(scope: Scope, query: ListKeysQuery): Promise<ListKeysPage> {
    const state = query.keyState ?? null;
    const project = query.enterpriseProjectId ?? null;
    const afterDate = query.after?.creationDate ?? -1;
    const afterId = query.after?.keyId ?? '';
    // COLLATE "C": key IDs compare by code unit, as in the other stores, whatever the database's collation.
    // One statement, so the page and the total see the same snapshot.
    const { rows } = await this.#pool.query<KeyRow & { total: string }>(
      `SELECT ${COLUMNS}, (SELECT count(*) FROM keys WHERE domain_id = $1 AND project_id = $2 AND ($3::text IS NULL OR key_state = $3) AND ($7::text IS NULL OR enterprise_project_id = $7) AND ($8::bigint IS NULL OR NOT (key_state = '4' AND scheduled_deletion_date IS NOT NULL AND scheduled_deletion_date <= $8))) AS total
         FROM keys
        WHERE domain_id = $1 AND project_id = $2 AND ($3::text IS NULL OR key_state = $3)
          AND ($7::text IS NULL OR enterprise_project_id = $7)
          AND ($8::bigint IS NULL OR NOT (key_state = '4' AND scheduled_deletion_date IS NOT NULL AND scheduled_deletion_date <= $8))
          AND (creation_date > $4 OR (creation_date = $4 AND key_id COLLATE "C" > $5 COLLATE "C"))
        ORDER BY creation_date, key_id COLLATE "C"
        LIMIT $6`,
      [scope.domainId, scope.projectId, state, afterDate, afterId, query.limit + 1, project, query.goneAt ?? null],
    );
    let total = rows[0] ? Number(rows[0].total) : undefined;
    if (total === undefined) {
      const counted = await this.#pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM keys WHERE domain_id = $1 AND project_id = $2 AND ($3::text IS NULL OR key_state = $3) AND ($4::text IS NULL OR enterprise_project_id = $4)
           AND ($5::bigint IS NULL OR NOT (key_state = '4' AND scheduled_deletion_date IS NOT NULL AND scheduled_deletion_date <= $5))`,
        [scope.domainId, scope.projectId, state, project, query.goneAt ?? null],
      );
      total = Number(counted.rows[0]!.n);
    }
    return { keys: rows.slice(0, query.limit).map(fromRow), truncated: rows.length > query.limit, total };
  }

  async scanKeys(afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]> {
    const { rows } = await this.#pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM keys WHERE ($1::text IS NULL OR key_id COLLATE "C" > $1 COLLATE "C") ORDER BY key_id COLLATE "C" LIMIT $2`,
      [afterKeyId ?? null, limit],
    );
    return rows.map(fromRow);
  }

  async updateKeyAlias(scope: Scope, keyId: string, keyAlias: string, fromState: KeyState): Promise<UpdateKeyAliasResult> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // The project's lock, as insertKey takes it: a concurrent insert or rename of the same
      // alias waits, and then sees this one (READ COMMITTED, a new snapshot per statement).
      await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('openkms.project-keys', scope.domainId, scope.projectId)]);
      const { rows } = await client.query<{ taken: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM keys WHERE domain_id = $1 AND project_id = $2 AND key_alias = $3 AND key_id <> $4) AS taken',
        [scope.domainId, scope.projectId, keyAlias, keyId],
      );
      let result: UpdateKeyAliasResult = { ok: true };
      if (rows[0]!.taken) {
        result = { ok: false, reason: 'duplicate-alias' };
      } else {
        const updated = await client.query(
          'UPDATE keys SET key_alias = $1 WHERE domain_id = $2 AND project_id = $3 AND key_id = $4 AND key_state = $5',
          [keyAlias, scope.domainId, scope.projectId, keyId, fromState],
        );
        if (updated.rowCount !== 1) result = { ok: false, reason: 'not-found' };
      }
      await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      client.release();
      return result;
    } catch (error) {
      await rollbackAndRelease(client, error);
      throw error;
    }
  }

  async updateKeyDescription(scope: Scope, keyId: string, keyDescription: string, fromState: KeyState): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE keys SET key_description = $1 WHERE domain_id = $2 AND project_id = $3 AND key_id = $4 AND key_state = $5',
      [Buffer.from(keyDescription, 'utf8'), scope.domainId, scope.projectId, keyId, fromState],
    );
    return result.rowCount === 1;
  }

  async replaceWrappedMaterial(keyId: string, expected: Buffer, replacement: Buffer): Promise<boolean> {
    const result = await this.#pool.query('UPDATE keys SET wrapped_material = $1 WHERE key_id = $2 AND wrapped_material = $3', [
      replacement,
      keyId,
      expected,
    ]);
    return result.rowCount === 1;
  }

  async transitionKeyState(scope: Scope, keyId: string, change: KeyStateChange): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      'UPDATE keys SET key_state = $1, scheduled_deletion_date = $2 WHERE domain_id = $3 AND project_id = $4 AND key_id = $5 AND key_state = $6',
      [change.to, change.scheduledDeletionDate, scope.domainId, scope.projectId, keyId, change.from],
    );
    return rowCount === 1;
  }

  async purgeKeysDueForDeletion(now: number, limit: number): Promise<string[]> {
    // One statement per batch. SKIP LOCKED: servers purging together take disjoint rows, and a
    // row deleted by one is gone for the others, so each key is deleted and reported once.
    const { rows } = await this.#pool.query<{ key_id: string }>(
      `DELETE FROM keys WHERE key_id IN (
         SELECT key_id FROM keys WHERE key_state = '4' AND scheduled_deletion_date <= $1
          ORDER BY key_id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING key_id`,
      [now, limit],
    );
    return rows.map((row) => row.key_id);
  }

  async findKeyTags(scope: Scope, keyId: string): Promise<KeyTag[] | undefined> {
    return findPostgresKeyTags(this.#pool, scope, keyId);
  }

  async changeKeyTags(scope: Scope, keyId: string, change: KeyTagChange, maxTags: number): Promise<KeyTagChangeResult> {
    return changePostgresKeyTags(this.#pool, scope, keyId, change, maxTags);
  }

  async listProjectKeyTags(scope: Scope): Promise<TaggedKeyRow[]> {
    return listPostgresProjectKeyTags(this.#pool, scope);
  }

  async updateKeyRotation(scope: Scope, keyId: string, requiredState: KeyState, settings: KeyRotationSettings): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE keys SET rotation_enabled_at = $1, rotation_interval_days = $2
        WHERE domain_id = $3 AND project_id = $4 AND key_id = $5 AND key_state = $6`,
      [settings.rotationEnabledAt, settings.rotationIntervalDays, scope.domainId, scope.projectId, keyId, requiredState],
    );
    return rowCount === 1;
  }

  async addMaterialVersion(scope: Scope, keyId: string, addition: MaterialVersionAddition): Promise<AddMaterialVersionResult> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // FOR SHARE holds the root key setting until COMMIT, as insertKey does: a root key rotation's
      // switch waits for this version, and its rewrap then finds it.
      const meta = (await client.query<{ value: string }>('SELECT value FROM meta WHERE name = $1 FOR SHARE', [addition.metaEquals.name]))
        .rows[0];
      let result: AddMaterialVersionResult = 'meta-mismatch';
      if (meta?.value === addition.metaEquals.value) {
        // The compare and swap: servers adding to one key with the same `expected` serialise on the
        // row, and the later one's WHERE, re-checked on the row the first committed, matches nothing.
        const { rowCount } = await client.query(
          `UPDATE keys SET rotated_materials = $1, last_rotation_time = $2
            WHERE domain_id = $3 AND project_id = $4 AND key_id = $5 AND key_state = '2' AND rotated_materials IS NOT DISTINCT FROM $6`,
          [
            encodeRotatedMaterials([...addition.expected, addition.wrappedMaterial]),
            addition.rotatedAt,
            scope.domainId,
            scope.projectId,
            keyId,
            encodeRotatedMaterials(addition.expected),
          ],
        );
        result = rowCount === 1 ? 'added' : 'changed';
      }
      await client.query(result === 'added' ? 'COMMIT' : 'ROLLBACK');
      client.release();
      return result;
    } catch (error) {
      await rollbackAndRelease(client, error);
      throw error;
    }
  }

  async findKeysDueForRotation(now: number, afterKeyId: string | undefined, limit: number): Promise<KeyRecord[]> {
    const { rows } = await this.#pool.query<KeyRow>(
      `SELECT ${COLUMNS} FROM keys
        WHERE rotation_enabled_at IS NOT NULL AND key_state = '2'
          AND GREATEST(rotation_enabled_at, coalesce(last_rotation_time, 0)) + rotation_interval_days::bigint * ${DAY_MS} <= $1
          AND ($2::text IS NULL OR key_id COLLATE "C" > $2 COLLATE "C")
        ORDER BY key_id COLLATE "C" LIMIT $3`,
      [now, afterKeyId ?? null, limit],
    );
    return rows.map(fromRow);
  }

  async replaceRotatedMaterials(keyId: string, expected: readonly Buffer[], replacement: readonly Buffer[]): Promise<boolean> {
    if (expected.length === 0 || replacement.length !== expected.length) return false;
    const result = await this.#pool.query('UPDATE keys SET rotated_materials = $1 WHERE key_id = $2 AND rotated_materials = $3', [
      encodeRotatedMaterials(replacement),
      keyId,
      encodeRotatedMaterials(expected),
    ]);
    return result.rowCount === 1;
  }

  async getMeta(name: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ value: string }>('SELECT value FROM meta WHERE name = $1', [name]);
    return rows[0]?.value;
  }

  async setMetaIfAbsent(name: string, value: string): Promise<string> {
    // A concurrent insert of the same name makes this one wait for it and then do nothing;
    // the SELECT, a new statement, sees whichever value was committed first.
    await this.#pool.query('INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.getMeta(name))!;
  }

  async compareAndSetMeta(name: string, expected: string, value: string | undefined): Promise<boolean> {
    const result =
      value === undefined
        ? await this.#pool.query('DELETE FROM meta WHERE name = $1 AND value = $2', [name, expected])
        : await this.#pool.query('UPDATE meta SET value = $3 WHERE name = $1 AND value = $2', [name, expected, value]);
    return result.rowCount === 1;
  }

  async insertAccessKey(
    record: AccessKeyRecord,
    conditions: { readonly metaEquals?: { readonly name: string; readonly value: string } } = {},
  ): Promise<InsertAccessKeyResult> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const required = conditions.metaEquals;
      // FOR SHARE holds the setting until COMMIT, as insertKey does: a rotation's switch waits for this insert.
      const meta =
        required && (await client.query<{ value: string }>('SELECT value FROM meta WHERE name = $1 FOR SHARE', [required.name])).rows[0];
      let result: InsertAccessKeyResult = { ok: true };
      if (required && meta?.value !== required.value) {
        result = { ok: false, reason: 'meta-mismatch' };
      } else {
        const inserted = await client.query(
          `INSERT INTO access_keys (${ACCESS_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (access_key_id) DO NOTHING`,
          [
            record.accessKeyId,
            record.name,
            record.domainId,
            [...record.projects],
            record.createdAt,
            record.revokedAt,
            record.wrappedSecret,
          ],
        );
        if (inserted.rowCount !== 1) result = { ok: false, reason: 'duplicate-access-key-id' };
      }
      await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      client.release();
      return result;
    } catch (error) {
      await rollbackAndRelease(client, error);
      throw error;
    }
  }

  async findAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const { rows } = await this.#pool.query<AccessKeyRow>(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1`, [
      accessKeyId,
    ]);
    return rows[0] && fromAccessKeyRow(rows[0]);
  }

  async listAccessKeys(): Promise<AccessKeySummary[]> {
    const { rows } = await this.#pool.query<AccessKeyRow>(
      `SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys ORDER BY created_at, access_key_id COLLATE "C"`,
    );
    return rows.map((row) => {
      const { wrappedSecret: _omitted, ...summary } = fromAccessKeyRow(row);
      return summary;
    });
  }

  async revokeAccessKey(accessKeyId: string, revokedAt: number): Promise<boolean> {
    const result = await this.#pool.query('UPDATE access_keys SET revoked_at = $2 WHERE access_key_id = $1 AND revoked_at IS NULL', [
      accessKeyId,
      revokedAt,
    ]);
    return result.rowCount === 1;
  }

  async scanAccessKeys(afterAccessKeyId: string | undefined, limit: number): Promise<AccessKeyRecord[]> {
    const { rows } = await this.#pool.query<AccessKeyRow>(
      `SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys
        WHERE ($1::text IS NULL OR access_key_id COLLATE "C" > $1 COLLATE "C") ORDER BY access_key_id COLLATE "C" LIMIT $2`,
      [afterAccessKeyId ?? null, limit],
    );
    return rows.map(fromAccessKeyRow);
  }

  async replaceWrappedSecret(accessKeyId: string, expected: Buffer, replacement: Buffer): Promise<boolean> {
    const result = await this.#pool.query('UPDATE access_keys SET wrapped_secret = $1 WHERE access_key_id = $2 AND wrapped_secret = $3', [
      replacement,
      accessKeyId,
      expected,
    ]);
    return result.rowCount === 1;
  }

  /** Waits for queries in flight, then closes every connection. */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }
}

/** A commit that returns before it is flushed could lose an acknowledged key in a crash. */
async function requireDurableCommits(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ setting: string }>("SELECT current_setting('synchronous_commit') AS setting");
  if (rows[0]!.setting === 'off') {
    throw new Error(
      'synchronous_commit is off for this connection; OpenKMS needs it on (or local, remote_write, remote_apply) so that a created key is durable',
    );
  }
}

function fromRow(row: KeyRow): KeyRecord {
  const creationDate = Number(row.creation_date);
  if (!Number.isSafeInteger(creationDate)) throw new Error(`key ${row.key_id}: stored creation_date is out of range`);
  return {
    keyId: row.key_id,
    domainId: row.domain_id,
    projectId: row.project_id,
    keyAlias: row.key_alias,
    keyDescription: row.key_description.toString('utf8'),
    origin: row.origin,
    keyState: row.key_state,
    enterpriseProjectId: row.enterprise_project_id,
    creationDate,
    wrappedMaterial: row.wrapped_material,
    ...withScheduledDeletionDate(row.scheduled_deletion_date === null ? null : Number(row.scheduled_deletion_date)),
    ...withRotationFields({
      rotatedMaterials: decodeRotatedMaterials(row.rotated_materials),
      rotationEnabledAt: row.rotation_enabled_at === null ? null : Number(row.rotation_enabled_at),
      rotationIntervalDays: row.rotation_interval_days,
      lastRotationTime: row.last_rotation_time === null ? null : Number(row.last_rotation_time),
    }),
  };
}

function fromAccessKeyRow(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    name: row.name,
    domainId: row.domain_id,
    projects: row.projects,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    wrappedSecret: row.wrapped_secret,
  };
}
