import { KmsError } from '../errors';

/**
 * Tag rules of the KMS API's "Tag management" pages (adding a tag, batch adding or deleting
 * tags, querying key tags, project tags and key instances): the limits, the characters a tag
 * may hold, and the filter of `resource_instances/action`. Pure functions, no store.
 */

/** A tag key holds 1 to 36 Unicode characters ("Adding Tags to a Key", TagItem `key`). */
export const TAG_KEY_MAX_CHARS = 36;
/** A tag value holds 0 to 43 Unicode characters ("Adding Tags to a Key", TagItem `value`). */
export const TAG_VALUE_MAX_CHARS = 43;
/** "A CMK can have a maximum of 10 keys" (the tag descriptions of every tag page). */
export const MAX_TAGS_PER_KEY = 10;
/** A filter tag lists at most 10 values ("A tag key can contain up to 10 values", Querying key instances). */
export const TAG_FILTER_MAX_VALUES = 10;
/** A filter names at most as many tag keys as a key can hold. */
export const TAG_FILTER_MAX_TAGS = MAX_TAGS_PER_KEY;
/** A `matches` value holds 1 to 255 characters. */
export const MATCH_VALUE_MAX_CHARS = 255;
/** The only `matches` key the API names: the resource's name, a key's alias. */
export const MATCH_KEYS = ['resource_name'] as const;
/** `limit` of resource_instances/action: 1 to 1000, 10 when absent. */
export const RESOURCE_INSTANCES_MIN_LIMIT = 1;
export const RESOURCE_INSTANCES_MAX_LIMIT = 1000;
export const RESOURCE_INSTANCES_DEFAULT_LIMIT = 10;

/** Characters no tag key or value may hold: ASCII 0–31, `*`, `<`, `>`, `\` and `=`. */
// eslint-disable-next-line no-control-regex -- the API forbids exactly these control characters.
export const TAG_FORBIDDEN_CHARACTERS = /[\u0000-\u001f*<>\\=]/u;

export interface KeyTag {
  readonly key: string;
  readonly value: string;
}

/** One filter condition: the key has tag `key`, with one of `values` (any value when empty). */
export interface TagFilterCondition {
  readonly key: string;
  readonly values: readonly string[];
}

export interface TagFilter {
  /** Every condition holds (AND across keys; OR across one key's values). */
  readonly tags: readonly TagFilterCondition[];
  /** The key's alias contains this text (the `resource_name` match), when given. */
  readonly resourceNameContains?: string;
}

/** A tagged resource as the filter sees it. */
export interface TaggedResource {
  readonly resourceName: string;
  readonly tags: readonly KeyTag[];
}

const charCount = (text: string): number => [...text].length;

/** KMS.0308 unless `key` is a valid tag key. */
export function checkTagKey(key: string): void {
  const length = charCount(key);
  if (length < 1 || length > TAG_KEY_MAX_CHARS || TAG_FORBIDDEN_CHARACTERS.test(key)) {
    throw new KmsError('KMS.0308', `Invalid tag key: 1 to ${TAG_KEY_MAX_CHARS} characters, none of ASCII 0-31, *, <, >, \\ or =.`);
  }
}

/** KMS.0308 unless `value` is a valid tag value. */
export function checkTagValue(value: string): void {
  if (charCount(value) > TAG_VALUE_MAX_CHARS || TAG_FORBIDDEN_CHARACTERS.test(value)) {
    throw new KmsError('KMS.0308', `Invalid tag value: at most ${TAG_VALUE_MAX_CHARS} characters, none of ASCII 0-31, *, <, >, \\ or =.`);
  }
}

/** KMS.0308 unless every tag is valid and no tag key repeats in the request. */
export function checkTags(tags: readonly KeyTag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    checkTagKey(tag.key);
    checkTagValue(tag.value);
    if (seen.has(tag.key)) throw new KmsError('KMS.0308', 'Invalid tags: a tag key appears twice in the request.');
    seen.add(tag.key);
  }
}

/** KMS.0308 unless the filter keeps the API's limits (checked before any key is read). */
export function checkTagFilter(filter: TagFilter): void {
  if (filter.tags.length > TAG_FILTER_MAX_TAGS) throw new KmsError('KMS.0308', `Invalid tags: at most ${TAG_FILTER_MAX_TAGS} tag keys.`);
  const seen = new Set<string>();
  for (const condition of filter.tags) {
    checkTagKey(condition.key);
    if (seen.has(condition.key)) throw new KmsError('KMS.0308', 'Invalid tags: a tag key appears twice in the filter.');
    seen.add(condition.key);
    if (condition.values.length > TAG_FILTER_MAX_VALUES) {
      throw new KmsError('KMS.0308', `Invalid tags: at most ${TAG_FILTER_MAX_VALUES} values for one tag key.`);
    }
    if (new Set(condition.values).size !== condition.values.length) throw new KmsError('KMS.0308', 'Invalid tags: a value appears twice.');
    for (const value of condition.values) checkTagValue(value);
  }
  const name = filter.resourceNameContains;
  if (name !== undefined && (name.length < 1 || charCount(name) > MATCH_VALUE_MAX_CHARS)) {
    throw new KmsError('KMS.0308', `Invalid matches: a value holds 1 to ${MATCH_VALUE_MAX_CHARS} characters.`);
  }
}

/** Whether `resource` passes `filter`: every condition holds, and its name contains the match text. */
export function matchesTagFilter(resource: TaggedResource, filter: TagFilter): boolean {
  const name = filter.resourceNameContains;
  if (name !== undefined && !resource.resourceName.includes(name)) return false;
  return filter.tags.every((condition) => {
    const tag = resource.tags.find((candidate) => candidate.key === condition.key);
    return tag !== undefined && (condition.values.length === 0 || condition.values.includes(tag.value));
  });
}

/** Tags in the order every answer lists them: by key, by code unit. */
export function sortTags<T extends KeyTag>(tags: readonly T[]): T[] {
  return [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
