import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { advisoryLockKey } from './postgres-locks';

/** Longest one statement of a migration may run, the wait for another server's included. */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/**
 * Schema migrations, applied in order; version N is MIGRATIONS[N - 1]. The table
 * schema_migrations lists the versions applied. Never edit a released migration: add one.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE keys (
     key_id                text PRIMARY KEY,
     domain_id             text NOT NULL,
     project_id            text NOT NULL,
     key_alias             text NOT NULL,
     -- UTF-8 bytes, not text: the API allows U+0000 in a description, which text cannot hold.
     key_description       bytea NOT NULL,
     origin                text NOT NULL CHECK (origin IN ('kms', 'external')),
     key_state             text NOT NULL CHECK (key_state IN ('1', '2', '3', '4', '5')),
     enterprise_project_id text NOT NULL,
     creation_date         bigint NOT NULL,
     wrapped_material      bytea,
     CONSTRAINT keys_alias_unique UNIQUE (domain_id, project_id, key_alias)
   );
   CREATE TABLE meta (name text PRIMARY KEY, value text NOT NULL);`,
  // Access keys: the SK only wrapped under the root key. Every instance reads them here, so a
  // revocation reaches all of them (within the resolver's short cache).
  `CREATE TABLE access_keys (
     access_key_id  text PRIMARY KEY,
     name           text NOT NULL,
     domain_id      text NOT NULL,
     projects       text[] NOT NULL,
     created_at     bigint NOT NULL,
     revoked_at     bigint,
     wrapped_secret bytea NOT NULL
   );`,
  // Key lifecycle: when a key pending deletion is purged (epoch ms; NULL in every other state).
  `ALTER TABLE keys ADD COLUMN scheduled_deletion_date bigint;
   CREATE INDEX keys_due_for_deletion ON keys (scheduled_deletion_date) WHERE key_state = '4';`,
  // Key tags: one row per tag, gone with its key (ON DELETE CASCADE: the purge takes them in its
  // statement). "C" collation: tag keys sort by code unit, as in the other stores.
  `CREATE TABLE key_tags (
     key_id    text NOT NULL REFERENCES keys (key_id) ON DELETE CASCADE,
     tag_key   text COLLATE "C" NOT NULL,
     tag_value text NOT NULL,
     PRIMARY KEY (key_id, tag_key)
   );`,
  // Key rotation (docs/key-rotation.md): material versions 2, 3, … (rotated-materials.ts), the
  // automatic rotation settings (enabled since, interval in days) and the last rotation time.
  `ALTER TABLE keys ADD COLUMN rotated_materials bytea;
   ALTER TABLE keys ADD COLUMN rotation_enabled_at bigint;
   ALTER TABLE keys ADD COLUMN rotation_interval_days integer NOT NULL DEFAULT 365;
   ALTER TABLE keys ADD COLUMN last_rotation_time bigint;
   CREATE INDEX keys_rotation_enabled ON keys (key_id) WHERE rotation_enabled_at IS NOT NULL;`,
];

/**
 * Brings the current schema (the first existing one on search_path) up to date. All pending
 * migrations run in one transaction under a transaction-scoped advisory lock for that schema,
 * so servers starting together apply each migration once: the others wait, then find nothing
 * to do. The lock goes away with the transaction, even if the process dies.
 *
 * The store's query timeout bounds requests, not this: a migration on a large table, or the
 * wait for another server's, may take longer. MIGRATION_TIMEOUT_MS bounds each statement here.
 */
export async function migrate(pool: Pool, migrations: readonly string[] = MIGRATIONS): Promise<void> {
  const client = await pool.connect();
  const query = <R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> => {
    // query_timeout per query is read by the driver, but not in its types.
    const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: MIGRATION_TIMEOUT_MS + 1_000 };
    return client.query<R>(config);
  };
  try {
    await query('BEGIN');
    await query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    const schema = (await query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema;
    if (!schema) throw new Error('no schema to keep the keys in: no schema on the search_path exists');
    await query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('openkms.migrate', schema)]);
    await query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = (await query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM schema_migrations')).rows[0]!
      .version;
    if (applied > migrations.length) {
      throw new Error(`the database schema (version ${applied}) is newer than this server (version ${migrations.length})`);
    }
    for (let version = applied + 1; version <= migrations.length; version += 1) {
      await query(migrations[version - 1]!);
      await query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
    }
    await query('COMMIT');
    client.release();
  } catch (error) {
    await rollbackAndRelease(client, error);
    throw error;
  }
}

/**
 * Ends a failed transaction. A connection the failure came from (lost, timed out: no SQLSTATE
 * from the server) is discarded at once, which ends the transaction on the server too: a
 * ROLLBACK on it would only wait for another timeout. One that cannot even roll back is
 * discarded too, never reused.
 */
export async function rollbackAndRelease(
  client: {
    query(text: string): Promise<unknown>;
    release(destroy?: boolean): void;
  },
  failure: unknown,
): Promise<void> {
  if (!reportedByServer(failure)) {
    client.release(true);
    return;
  }
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch {
    client.release(true);
  }
}

/** Whether the database itself reported `failure` (it has a SQLSTATE), so the connection still works. */
function reportedByServer(failure: unknown): boolean {
  const code = (failure as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57P');
}
