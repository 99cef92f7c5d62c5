import { KmsError } from '../errors';
import { KEY_ID_PATTERN } from '../keys/key-id';
import type { KeyRecord, Scope } from '../keys/key-record';
import {
  checkTagFilter,
  checkTagKey,
  checkTags,
  checkTagValue,
  matchesTagFilter,
  MAX_TAGS_PER_KEY,
  RESOURCE_INSTANCES_DEFAULT_LIMIT,
  RESOURCE_INSTANCES_MAX_LIMIT,
  RESOURCE_INSTANCES_MIN_LIMIT,
  type KeyTag,
  type TagFilter,
} from '../keys/key-tags';
import type { KeyStore } from '../store/key-store';
import type { KeyTagChange } from '../store/key-tag-store';
import { isDueForDeletion } from './key-lifecycle';

/** Keys read per store page while gathering a project's keys for resource_instances/action. */
const GATHER_PAGE = 1000;

/** A tag of a batch request: `create` sets `value` (empty when absent); `delete` removes the key, only with this value when given. */
export interface BatchTag {
  readonly key: string;
  readonly value?: string;
}

export interface FindKeysByTagsInput {
  /** `filter`: a page of matching keys and their count; `count`: the count alone. */
  readonly action: 'filter' | 'count';
  /** 1 to 1000, 10 when absent (filter only). */
  readonly limit?: number;
  /** Matching keys to skip, 0 when absent (filter only). */
  readonly offset?: number;
  readonly filter: TagFilter;
}

export interface TaggedKey {
  /** Without its wrapped material. */
  readonly key: KeyRecord;
  readonly tags: readonly KeyTag[];
}

export interface FoundKeys {
  readonly resources: readonly TaggedKey[];
  /** How many keys match the filter (all pages). */
  readonly totalCount: number;
}

/**
 * The tag operations ("Tag management" of the API reference). The API restricts tags by no key
 * state: a key in any state (pending deletion and pending import included) can be tagged,
 * untagged and found, until it is gone. A key past its deletion date is gone (KMS.0207), and
 * the purge deletes its tags with it.
 */
export class KeyTagOperations {
  readonly #store: KeyStore;
  readonly #now: () => number;

  constructor(store: KeyStore, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** GET {key_id}/tags: the key's tags, ordered by key. */
  async showKeyTags(scope: Scope, keyId: string): Promise<KeyTag[]> {
    await this.#requireKey(scope, keyId);
    const tags = await this.#store.findKeyTags(scope, keyId);
    if (!tags) throw new KmsError('KMS.0207');
    return tags;
  }

  /** POST {key_id}/tags: adds the tag, or gives an existing tag key the new value. */
  async addKeyTag(scope: Scope, keyId: string, tag: KeyTag): Promise<void> {
    checkTags([tag]);
    await this.#change(scope, keyId, { set: [tag] });
  }

  /** DELETE {key_id}/tags/{key}: removes the tag; a tag the key does not have is already gone (no error). */
  async deleteKeyTag(scope: Scope, keyId: string, tagKey: string): Promise<void> {
    checkTagKey(tagKey);
    await this.#change(scope, keyId, { remove: [{ key: tagKey }] });
  }

  /** POST {key_id}/tags/action: adds (create) or deletes (delete) all the tags in one atomic step. */
  async batchKeyTags(scope: Scope, keyId: string, action: 'create' | 'delete', tags: readonly BatchTag[]): Promise<void> {
    if (tags.length === 0) throw new KmsError('KMS.0308', 'Invalid tags: give at least one tag.');
    if (action === 'create') {
      const full = tags.map((tag) => ({ key: tag.key, value: tag.value ?? '' }));
      checkTags(full);
      await this.#change(scope, keyId, { set: full });
      return;
    }
    const seen = new Set<string>();
    for (const tag of tags) {
      checkTagKey(tag.key);
      if (tag.value !== undefined) checkTagValue(tag.value);
      if (seen.has(tag.key)) throw new KmsError('KMS.0308', 'Invalid tags: a tag key appears twice in the request.');
      seen.add(tag.key);
    }
    await this.#change(scope, keyId, { remove: tags });
  }

  /** GET /kms/tags: every tag key of the project's keys with its distinct values, keys and values in code-unit order. */
  async listProjectTags(scope: Scope): Promise<Array<{ key: string; values: string[] }>> {
    const live = new Set((await this.#projectKeys(scope)).map((key) => key.keyId));
    const values = new Map<string, Set<string>>();
    for (const row of await this.#store.listProjectKeyTags(scope)) {
      if (!live.has(row.keyId)) continue;
      for (const tag of row.tags) {
        let set = values.get(tag.key);
        if (!set) values.set(tag.key, (set = new Set()));
        set.add(tag.value);
      }
    }
    return [...values].sort(([a], [b]) => byCodeUnit(a, b)).map(([key, set]) => ({ key, values: [...set].sort(byCodeUnit) }));
  }

  /**
   * POST resource_instances/action: the project's keys matching the filter, in list-keys' order
   * (creation date, key ID); `offset` and `limit` cut the page, `totalCount` counts them all.
   */
  async findKeysByTags(scope: Scope, input: FindKeysByTagsInput): Promise<FoundKeys> {
    const limit = input.limit ?? RESOURCE_INSTANCES_DEFAULT_LIMIT;
    const offset = input.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < RESOURCE_INSTANCES_MIN_LIMIT || limit > RESOURCE_INSTANCES_MAX_LIMIT) {
      throw new KmsError('KMS.0308', `Invalid limit: it must be ${RESOURCE_INSTANCES_MIN_LIMIT} to ${RESOURCE_INSTANCES_MAX_LIMIT}.`);
    }
    if (!Number.isSafeInteger(offset) || offset < 0) throw new KmsError('KMS.0308', 'Invalid offset: it must be 0 or more.');
    checkTagFilter(input.filter);
    const tagsByKey = new Map((await this.#store.listProjectKeyTags(scope)).map((row) => [row.keyId, row.tags]));
    const matching = (await this.#projectKeys(scope))
      .map((key) => ({ key, tags: tagsByKey.get(key.keyId) ?? [] }))
      .filter(({ key, tags }) => matchesTagFilter({ resourceName: key.keyAlias, tags }, input.filter));
    const resources = input.action === 'count' ? [] : matching.slice(offset, offset + limit);
    return { resources, totalCount: matching.length };
  }

  async #change(scope: Scope, keyId: string, change: KeyTagChange): Promise<void> {
    await this.#requireKey(scope, keyId);
    const result = await this.#store.changeKeyTags(scope, keyId, change, MAX_TAGS_PER_KEY);
    if (result.ok) return;
    if (result.reason === 'not-found') throw new KmsError('KMS.0207');
    throw new KmsError('KMS.0308', `Invalid tags: a key holds at most ${MAX_TAGS_PER_KEY} tags.`);
  }

  /** The key `keyId` of the project: KMS.0205 when it is no key ID, KMS.0207 when missing or past its deletion date. */
  async #requireKey(scope: Scope, keyId: string): Promise<KeyRecord> {
    if (!KEY_ID_PATTERN.test(keyId)) throw new KmsError('KMS.0205');
    const key = await this.#store.findKeyById(scope, keyId);
    if (!key || isDueForDeletion(key, this.#now())) throw new KmsError('KMS.0207');
    return key;
  }

  /** Every key of the project that is not gone, in list order, without wrapped material. */
  async #projectKeys(scope: Scope): Promise<KeyRecord[]> {
    const keys: KeyRecord[] = [];
    const goneAt = this.#now();
    let after: { creationDate: number; keyId: string } | undefined;
    for (;;) {
      const page = await this.#store.listKeys(scope, { limit: GATHER_PAGE, goneAt, ...(after && { after }) });
      for (const key of page.keys) keys.push({ ...key, wrappedMaterial: null });
      const last = page.keys[page.keys.length - 1];
      if (!page.truncated || !last) return keys;
      after = { creationDate: last.creationDate, keyId: last.keyId };
    }
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
