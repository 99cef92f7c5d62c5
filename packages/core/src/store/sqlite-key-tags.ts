import type Database from 'better-sqlite3';
import type { Scope } from '../keys/key-record';
import type { KeyTag } from '../keys/key-tags';
import { applyKeyTagChange, groupByKey, type TagRow } from './key-tag-change';
import type { KeyTagChange, KeyTagChangeResult, TaggedKeyRow } from './key-tag-store';

/** SqliteKeyStore's tags (the key_tags table), with statements prepared once. */
export class SqliteKeyTags {
  readonly #keyExists: Database.Statement<[string, string, string], { one: number }>;
  readonly #ofKey: Database.Statement<[string], TagRow>;
  readonly #ofProject: Database.Statement<[string, string], TagRow>;
  readonly #change: (scope: Scope, keyId: string, change: KeyTagChange, maxTags: number) => KeyTagChangeResult;

  constructor(db: Database.Database) {
    this.#keyExists = db.prepare('SELECT 1 AS one FROM keys WHERE domain_id = ? AND project_id = ? AND key_id = ?');
    this.#ofKey = db.prepare('SELECT * FROM key_tags WHERE key_id = ? ORDER BY tag_key');
    this.#ofProject = db.prepare(
      `SELECT t.* FROM key_tags t JOIN keys k ON k.key_id = t.key_id
        WHERE k.domain_id = ? AND k.project_id = ? ORDER BY t.key_id, t.tag_key`,
    );
    const removeAll = db.prepare<[string]>('DELETE FROM key_tags WHERE key_id = ?');
    const insert = db.prepare<[string, string, string]>('INSERT INTO key_tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)');
    // Read, compute and rewrite in one IMMEDIATE transaction: the limit holds against concurrent writers.
    const transaction = db.transaction((scope: Scope, keyId: string, change: KeyTagChange, maxTags: number): KeyTagChangeResult => {
      if (!this.#keyExists.get(scope.domainId, scope.projectId, keyId)) return { ok: false, reason: 'not-found' };
      const next = applyKeyTagChange(this.#ofKey.all(keyId).map(toTag), change);
      if (next.length > maxTags) return { ok: false, reason: 'too-many-tags' };
      removeAll.run(keyId);
      for (const tag of next) insert.run(keyId, tag.key, tag.value);
      return { ok: true };
    });
    this.#change = (scope, keyId, change, maxTags) => transaction.immediate(scope, keyId, change, maxTags);
  }

  find(scope: Scope, keyId: string): KeyTag[] | undefined {
    if (!this.#keyExists.get(scope.domainId, scope.projectId, keyId)) return undefined;
    return this.#ofKey.all(keyId).map(toTag);
  }

  change(scope: Scope, keyId: string, change: KeyTagChange, maxTags: number): KeyTagChangeResult {
    return this.#change(scope, keyId, change, maxTags);
  }

  listProject(scope: Scope): TaggedKeyRow[] {
    return groupByKey(this.#ofProject.all(scope.domainId, scope.projectId));
  }
}

function toTag(row: TagRow): KeyTag {
  return { key: row.tag_key, value: row.tag_value };
}
