import type { Pool } from 'pg';
import type { Scope } from '../keys/key-record';
import type { KeyTag } from '../keys/key-tags';
import { applyKeyTagChange, groupByKey } from './key-tag-change';
import type { KeyTagChange, KeyTagChangeResult, TaggedKeyRow } from './key-tag-store';
import { rollbackAndRelease } from './postgres-migrations';

/** PostgresKeyStore's tags (the key_tags table). */

export async function findPostgresKeyTags(pool: Pool, scope: Scope, keyId: string): Promise<KeyTag[] | undefined> {
  // One statement: the key's existence and its tags in one snapshot.
  const { rows } = await pool.query<{ tag_key: string | null; tag_value: string | null }>(
    `SELECT t.tag_key, t.tag_value FROM keys k LEFT JOIN key_tags t ON t.key_id = k.key_id
      WHERE k.domain_id = $1 AND k.project_id = $2 AND k.key_id = $3 ORDER BY t.tag_key`,
    [scope.domainId, scope.projectId, keyId],
  );
  if (rows.length === 0) return undefined;
  return rows.filter((row) => row.tag_key !== null).map((row) => ({ key: row.tag_key!, value: row.tag_value! }));
}

export async function changePostgresKeyTags(
  pool: Pool,
  scope: Scope,
  keyId: string,
  change: KeyTagChange,
  maxTags: number,
): Promise<KeyTagChangeResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // FOR UPDATE on the key row: concurrent changes to one key's tags take turns, so the limit holds,
    // and a purge deleting the key waits for (or precedes) this transaction.
    const key = await client.query('SELECT 1 FROM keys WHERE domain_id = $1 AND project_id = $2 AND key_id = $3 FOR UPDATE', [
      scope.domainId,
      scope.projectId,
      keyId,
    ]);
    let result: KeyTagChangeResult = { ok: true };
    let next: KeyTag[] = [];
    if (key.rowCount === 0) result = { ok: false, reason: 'not-found' };
    else {
      const current = await client.query<{ tag_key: string; tag_value: string }>(
        'SELECT tag_key, tag_value FROM key_tags WHERE key_id = $1',
        [keyId],
      );
      next = applyKeyTagChange(
        current.rows.map((row) => ({ key: row.tag_key, value: row.tag_value })),
        change,
      );
      if (next.length > maxTags) result = { ok: false, reason: 'too-many-tags' };
    }
    if (!result.ok) {
      await client.query('ROLLBACK');
      client.release();
      return result;
    }
    await client.query('DELETE FROM key_tags WHERE key_id = $1', [keyId]);
    if (next.length > 0) {
      await client.query('INSERT INTO key_tags (key_id, tag_key, tag_value) SELECT $1, * FROM unnest($2::text[], $3::text[])', [
        keyId,
        next.map((tag) => tag.key),
        next.map((tag) => tag.value),
      ]);
    }
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    await rollbackAndRelease(client, error);
    throw error;
  }
}

export async function listPostgresProjectKeyTags(pool: Pool, scope: Scope): Promise<TaggedKeyRow[]> {
  const { rows } = await pool.query<{ key_id: string; tag_key: string; tag_value: string }>(
    `SELECT t.key_id, t.tag_key, t.tag_value FROM key_tags t JOIN keys k ON k.key_id = t.key_id
      WHERE k.domain_id = $1 AND k.project_id = $2 ORDER BY t.key_id COLLATE "C", t.tag_key`,
    [scope.domainId, scope.projectId],
  );
  return groupByKey(rows);
}
