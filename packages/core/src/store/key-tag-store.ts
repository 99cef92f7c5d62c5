import type { Scope } from '../keys/key-record';
import type { KeyTag } from '../keys/key-tags';

/** Changes to one key's tags, applied together: `remove` first, then `set` (which adds or overwrites by key). */
export interface KeyTagChange {
  readonly set?: readonly KeyTag[];
  /** Tags to delete by key; when `value` is given, only if the stored value equals it. A tag that is not there is skipped. */
  readonly remove?: ReadonlyArray<{ readonly key: string; readonly value?: string }>;
}

export type KeyTagChangeResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'not-found' | 'too-many-tags' };

/** A key of a project with its tags (possibly none). */
export interface TaggedKeyRow {
  readonly keyId: string;
  readonly tags: readonly KeyTag[];
}

/**
 * Tags on customer master keys. A key's tags go with it: purging a key deletes them in the same
 * atomic step. Scoped like every lookup: another project's key is not found.
 */
export interface KeyTagStore {
  /** The key's tags ordered by tag key (code unit); undefined when the project has no such key. */
  findKeyTags(scope: Scope, keyId: string): Promise<KeyTag[] | undefined>;
  /**
   * Applies `change` to the key's tags atomically, unless the key would then hold more than
   * `maxTags` tags (`too-many-tags`, nothing changed) or the project has no such key. Durable when ok.
   */
  changeKeyTags(scope: Scope, keyId: string, change: KeyTagChange, maxTags: number): Promise<KeyTagChangeResult>;
  /** Every tagged key of the project with its tags (tags ordered by key); untagged keys are left out. */
  listProjectKeyTags(scope: Scope): Promise<TaggedKeyRow[]>;
}
