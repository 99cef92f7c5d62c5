import { sortTags, type KeyTag } from '../keys/key-tags';
import type { KeyTagChange, TaggedKeyRow } from './key-tag-store';

/** A key_tags row of the SQL stores. */
export interface TagRow {
  key_id: string;
  tag_key: string;
  tag_value: string;
}

/** A key's tags after `change` (removals first, then additions and overwrites), ordered by key. */
export function applyKeyTagChange(current: readonly KeyTag[], change: KeyTagChange): KeyTag[] {
  const byKey = new Map(current.map((tag) => [tag.key, tag.value]));
  for (const removal of change.remove ?? []) {
    const stored = byKey.get(removal.key);
    if (stored !== undefined && (removal.value === undefined || removal.value === stored)) byKey.delete(removal.key);
  }
  for (const tag of change.set ?? []) byKey.set(tag.key, tag.value);
  return sortTags([...byKey].map(([key, value]) => ({ key, value })));
}

/** Rows ordered by key ID, then tag key, as one entry per key. */
export function groupByKey(rows: readonly TagRow[]): TaggedKeyRow[] {
  const keys: Array<{ keyId: string; tags: KeyTag[] }> = [];
  for (const row of rows) {
    const last = keys[keys.length - 1];
    if (last?.keyId === row.key_id) last.tags.push({ key: row.tag_key, value: row.tag_value });
    else keys.push({ keyId: row.key_id, tags: [{ key: row.tag_key, value: row.tag_value }] });
  }
  return keys;
}
