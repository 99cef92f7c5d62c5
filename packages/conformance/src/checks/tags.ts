import { randomBytes } from 'node:crypto';
import type { HttpResponse } from '../http/kms-http';
import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, openkms, type Check } from './check';
import type { CheckContext } from './context';

/**
 * Tag management (current API reference): add, delete and batch a key's tags, show them, list
 * the project's tags, find keys by tags. Optional operations: a server without the routes
 * reports NOT IMPLEMENTED. Every key a check tags is a kit key, scheduled for deletion by the
 * kit's cleanup, and the checks delete the tags they add where the rule allows it.
 */

type TagItem = { key: string; value?: string };
type ShownTags = { tags: TagItem[]; existTagsNum: number };
type ProjectTags = { tags: Array<{ key: string; values: string[] }> };
type Found = { resources: Array<{ resource_id: string; resource_name: string; tags: TagItem[] }>; total_count: number };

const ADD = apiReference(
  'Adding Tags to a Key (POST {key_id}/tags): tag {key 1-36 characters, value 0-43}; answers 204 (older revisions: 200 {})',
);
const DELETE = apiReference('Deleting a Key Tag (DELETE {key_id}/tags/{key}): answers 204');
const BATCH = apiReference('Batch Adding or Deleting Key Tags (POST {key_id}/tags/action): action create or delete, tags; answers 204');
const SHOW = apiReference('Querying Key Tags (GET {key_id}/tags): tags [{key, value}] and existTagsNum');
const PROJECT = apiReference('Querying Project Tags (GET /kms/tags): tags [{key, values}]');
const FIND = apiReference(
  'Querying Key Instances (POST resource_instances/action): action filter or count, tags [{key, values}], matches [{key resource_name, value}], limit, offset; answers resources and total_count',
);
const LIMITS = apiReference(
  'TagItem: key at most 36 Unicode characters, not empty, value at most 43, neither holding ASCII 0-31, *, <, >, \\ or =; "A CMK can have a maximum of 10 keys"',
);
/** The documents fix 400 for a bad parameter, no code for a bad tag: any KMS code (OpenKMS: KMS.0308). */
const TAG_INVALID = ['400 KMS.*'];

/** Tag keys no other run or check uses. */
const uniqueTagKey = (_c: CheckContext, label: string) => `ck-${label}-${randomBytes(4).toString('hex')}`.slice(0, 36);

/** A change the current reference answers 204 (the response validator allows an older revision's 200 `{}`). */
function expectChanged(c: CheckContext, response: HttpResponse, what: string): void {
  ensure(response.status === 204 || response.status === 200, `${what}: expected 204, got ${c.describe(response)}`);
}

async function shownTags(c: CheckContext, keyId: string): Promise<ShownTags> {
  const body = expectOk<ShownTags>(c, await c.get('showKmsTags', { pathParams: { key_id: keyId } }), 'show key tags');
  ensure(Array.isArray(body.tags), 'tags is not an array');
  ensure(body.existTagsNum === body.tags.length, `existTagsNum ${body.existTagsNum} is not the ${body.tags.length} tags listed`);
  return body;
}

const addTag = (c: CheckContext, keyId: string, tag: TagItem) => c.post('createKmsTag', { tag }, { pathParams: { key_id: keyId } });
const batch = (c: CheckContext, keyId: string, action: string, tags: TagItem[]) =>
  c.post('batchCreateKmsTags', { action, tags }, { pathParams: { key_id: keyId } });
const findKeys = (c: CheckContext, body: unknown) => c.post('listKmsByTags', body);

export const tagChecks: readonly Check[] = [
  {
    id: 'CK-TAGS-ADD-SHOW-DELETE',
    level: 'MUST',
    area: 'tags',
    title: 'a tag added to a key is shown by key tags (existTagsNum counting them), and is gone after DELETE {key_id}/tags/{key}',
    authority: [ADD, SHOW, DELETE],
    acceptedCodes: [],
    reference: 'spec: createKmsTag, showKmsTags, deleteTag',
    keys: 1,
    async run(c) {
      const key = await c.newKey('tag');
      const tag = { key: uniqueTagKey(c, 'add'), value: 'DEV1' };
      expectChanged(c, await addTag(c, key.keyId, tag), 'add a tag');
      const shown = await shownTags(c, key.keyId);
      ensure(
        shown.tags.some((t) => t.key === tag.key && (t.value ?? '') === tag.value),
        `the key's tags ${JSON.stringify(shown.tags)} lack ${JSON.stringify(tag)}`,
      );
      expectChanged(c, await c.delete('deleteTag', { pathParams: { key_id: key.keyId, key: tag.key } }), 'delete the tag');
      const after = await shownTags(c, key.keyId);
      ensure(!after.tags.some((t) => t.key === tag.key), `the deleted tag ${tag.key} is still shown: ${JSON.stringify(after.tags)}`);
    },
  },
  {
    id: 'CK-TAGS-BATCH',
    level: 'MUST',
    area: 'tags',
    title: 'batch action create adds every tag of the request and action delete removes them',
    authority: [BATCH, SHOW],
    acceptedCodes: [],
    reference: 'spec: batchCreateKmsTags',
    keys: 1,
    async run(c) {
      const key = await c.newKey('tagbatch');
      const tags = [
        { key: uniqueTagKey(c, 'b1'), value: 'value1' },
        { key: uniqueTagKey(c, 'b2'), value: 'value3' },
      ];
      expectChanged(c, await batch(c, key.keyId, 'create', tags), 'batch create');
      const shown = await shownTags(c, key.keyId);
      for (const tag of tags) {
        ensure(
          shown.tags.some((t) => t.key === tag.key && t.value === tag.value),
          `after batch create, ${JSON.stringify(shown.tags)} lacks ${JSON.stringify(tag)}`,
        );
      }
      expectChanged(c, await batch(c, key.keyId, 'delete', tags), 'batch delete');
      const after = await shownTags(c, key.keyId);
      ensure(
        !after.tags.some((t) => tags.some((tag) => tag.key === t.key)),
        `after batch delete, tags remain: ${JSON.stringify(after.tags)}`,
      );
    },
  },
  {
    id: 'CK-TAGS-PROJECT',
    level: 'MUST',
    area: 'tags',
    title: "the project's tags list a tag key used on one of its keys, with that key's value among the key's values",
    authority: [PROJECT],
    acceptedCodes: [],
    reference: 'spec: listKmsTags',
    keys: 1,
    async run(c) {
      const key = await c.newKey('tagproj');
      const tag = { key: uniqueTagKey(c, 'proj'), value: 'v1' };
      expectChanged(c, await addTag(c, key.keyId, tag), 'add a tag');
      const body = expectOk<ProjectTags>(c, await c.get('listKmsTags'), 'project tags');
      const entry = body.tags.find((t) => t.key === tag.key);
      ensure(entry !== undefined, `the project's tags lack ${tag.key}`);
      ensure(entry.values.includes(tag.value), `the project's values of ${tag.key} ${JSON.stringify(entry.values)} lack ${tag.value}`);
    },
  },
  {
    id: 'CK-TAGS-FIND',
    level: 'MUST',
    area: 'tags',
    title:
      'resource_instances/action filter finds exactly the keys with the tag and one of its values, matches on resource_name narrows them, count gives total_count',
    authority: [FIND],
    acceptedCodes: [],
    reference: 'spec: listKmsByTags',
    keys: 2,
    async run(c) {
      const first = await c.newKey('tagfind1');
      const second = await c.newKey('tagfind2');
      const tagKey = uniqueTagKey(c, 'find');
      expectChanged(c, await addTag(c, first.keyId, { key: tagKey, value: 'v1' }), 'tag the first key');
      expectChanged(c, await addTag(c, second.keyId, { key: tagKey, value: 'v2' }), 'tag the second key');
      const ids = (found: Found) => found.resources.map((r) => r.resource_id).sort();

      const one = expectOk<Found>(
        c,
        await findKeys(c, { action: 'filter', limit: '10', tags: [{ key: tagKey, values: ['v1'] }] }),
        'filter v1',
      );
      ensure(JSON.stringify(ids(one)) === JSON.stringify([first.keyId]), `filter ${tagKey}=v1 found ${JSON.stringify(ids(one))}`);
      ensure(one.total_count === 1, `filter ${tagKey}=v1: total_count ${one.total_count}, not 1`);
      const resource = one.resources[0]!;
      ensure(
        resource.tags.some((t) => t.key === tagKey && t.value === 'v1'),
        `the found key's tags ${JSON.stringify(resource.tags)} lack ${tagKey}=v1`,
      );

      const both = expectOk<Found>(
        c,
        await findKeys(c, { action: 'filter', limit: '10', tags: [{ key: tagKey, values: ['v1', 'v2'] }] }),
        'filter v1 or v2',
      );
      ensure(
        JSON.stringify(ids(both)) === JSON.stringify([first.keyId, second.keyId].sort()),
        `filter ${tagKey} in (v1, v2) found ${JSON.stringify(ids(both))}`,
      );

      const named = expectOk<Found>(
        c,
        await findKeys(c, {
          action: 'filter',
          limit: '10',
          tags: [{ key: tagKey, values: ['v1', 'v2'] }],
          matches: [{ key: 'resource_name', value: second.alias }],
        }),
        'filter by resource_name',
      );
      ensure(JSON.stringify(ids(named)) === JSON.stringify([second.keyId]), `matches ${second.alias} found ${JSON.stringify(ids(named))}`);

      const counted = expectOk<Found>(c, await findKeys(c, { action: 'count', tags: [{ key: tagKey, values: ['v1', 'v2'] }] }), 'count');
      ensure(counted.total_count === 2, `count of ${tagKey} in (v1, v2): total_count ${counted.total_count}, not 2`);
    },
  },
  {
    id: 'CK-TAGS-INVALID',
    level: 'MUST',
    area: 'tags',
    title: 'a tag key of 37 characters or holding =, an empty tag key, and a value of 44 characters are refused with a 400',
    authority: [ADD, LIMITS, errorTable('KMS.0308 invalid parameter')],
    acceptedCodes: TAG_INVALID,
    reference: 'spec: TagItem (KMS.0308)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-TAGS-INVALID', acceptedCodes: ['400 KMS.0308'] },
    async run(c) {
      const key = await c.newKey('tagbad');
      const cases: Array<[string, TagItem]> = [
        ['a 37-character key', { key: 'k'.repeat(37), value: '' }],
        ['a key holding =', { key: 'a=b', value: '' }],
        ['an empty key', { key: '', value: 'v' }],
        ['a 44-character value', { key: 'k', value: 'v'.repeat(44) }],
      ];
      for (const [what, tag] of cases) expectRejected(c, await addTag(c, key.keyId, tag), TAG_INVALID, '400 KMS.0308', what);
      const shown = await shownTags(c, key.keyId);
      ensure(shown.tags.length === 0, `refused tags were stored: ${JSON.stringify(shown.tags)}`);
    },
  },
  {
    id: 'CK-TAGS-MAX',
    level: 'MUST',
    area: 'tags',
    title: 'a key with 10 tags refuses an eleventh with a 400 and keeps its 10',
    authority: [LIMITS, BATCH],
    acceptedCodes: TAG_INVALID,
    reference: 'spec: CreateKmsTagRequest x-kms-max-tags-per-key (KMS.0308)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-TAGS-MAX', acceptedCodes: ['400 KMS.0308'] },
    async run(c) {
      const key = await c.newKey('tagmax');
      const ten = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${i}` }));
      expectChanged(c, await batch(c, key.keyId, 'create', ten), 'batch create 10 tags');
      expectRejected(c, await addTag(c, key.keyId, { key: 'eleventh', value: '' }), TAG_INVALID, '400 KMS.0308', 'an eleventh tag');
      const shown = await shownTags(c, key.keyId);
      ensure(shown.existTagsNum === 10, `the key holds ${shown.existTagsNum} tags after the refusal, not 10`);
    },
  },
  {
    id: 'CK-TAGS-KEY-NOT-FOUND',
    level: 'MUST',
    area: 'tags',
    title: 'showing or adding the tags of a key ID that does not exist is 404 KMS.0207',
    authority: [SHOW, ADD, errorTable('KMS.0207 the key does not exist')],
    acceptedCodes: ['404 KMS.0207'],
    reference: 'spec: showKmsTags, createKmsTag (404 KMS.0207)',
    keys: 0,
    async run(c) {
      const missing = '0d0466b0-e727-4d9c-b35d-' + randomBytes(6).toString('hex');
      expectRejected(c, await c.get('showKmsTags', { pathParams: { key_id: missing } }), ['404 KMS.0207'], '404 KMS.0207', 'show');
      expectRejected(c, await addTag(c, missing, { key: 'a', value: '' }), ['404 KMS.0207'], '404 KMS.0207', 'add');
    },
  },
  {
    id: 'CK-TAGS-ISOLATION',
    level: 'MUST',
    area: 'tags',
    title: "another project can neither see nor tag a key (404 KMS.0207), and its project tags and key search do not list the key's tags",
    authority: [SHOW, ADD, PROJECT, FIND, errorTable('KMS.0207 the key does not exist')],
    acceptedCodes: ['404 KMS.0207'],
    reference: 'spec: showKmsTags, createKmsTag, listKmsTags, listKmsByTags (project scope)',
    needsOtherProject: true,
    keys: 1,
    async run(c) {
      const key = await c.newKey('tagiso');
      const tagKey = uniqueTagKey(c, 'iso');
      expectChanged(c, await addTag(c, key.keyId, { key: tagKey, value: 'mine' }), 'add a tag');
      const other = c.otherCaller;
      expectRejected(
        c,
        await c.get('showKmsTags', { caller: other, pathParams: { key_id: key.keyId } }),
        ['404 KMS.0207'],
        '404 KMS.0207',
        'show',
      );
      const add = await c.post('createKmsTag', { tag: { key: 'x', value: '' } }, { caller: other, pathParams: { key_id: key.keyId } });
      expectRejected(c, add, ['404 KMS.0207'], '404 KMS.0207', 'add');
      const tags = expectOk<ProjectTags>(c, await c.get('listKmsTags', { caller: other }), "the other project's tags");
      ensure(!tags.tags.some((t) => t.key === tagKey), `the other project's tags list ${tagKey}`);
      const found = expectOk<Found>(
        c,
        await c.post('listKmsByTags', { action: 'count', tags: [{ key: tagKey }] }, { caller: other }),
        'count',
      );
      ensure(found.total_count === 0, `the other project counts ${found.total_count} keys tagged ${tagKey}`);
    },
  },
  {
    id: 'CK-REF-TAGS-PAGES',
    level: 'REFERENCE',
    area: 'tags',
    title:
      'filter pages by offset and limit in creation order, total_count counting every match, and refuses limit 0 or 1001 with 400 KMS.0308',
    authority: [openkms('spec/kms.yaml (listKmsByTags: list-keys order, limit 1 to 1000, offset)'), FIND],
    acceptedCodes: ['400 KMS.0308'],
    reference: 'spec: listKmsByTags (limit, offset)',
    keys: 3,
    async run(c) {
      const tagKey = uniqueTagKey(c, 'page');
      const keys = [];
      for (const label of ['page1', 'page2', 'page3']) {
        const key = await c.newKey(label);
        expectChanged(c, await addTag(c, key.keyId, { key: tagKey, value: '' }), 'tag a key');
        keys.push(key.keyId);
      }
      const seen: string[] = [];
      for (const offset of ['0', '2']) {
        const page = expectOk<Found>(
          c,
          await findKeys(c, { action: 'filter', limit: '2', offset, tags: [{ key: tagKey }] }),
          `page ${offset}`,
        );
        ensure(page.total_count === 3, `total_count ${page.total_count}, not 3`);
        seen.push(...page.resources.map((r) => r.resource_id));
      }
      ensure(
        JSON.stringify(seen) === JSON.stringify(keys),
        `pages gave ${JSON.stringify(seen)}, not ${JSON.stringify(keys)} in creation order`,
      );
      for (const limit of ['0', '1001']) {
        expectRejected(c, await findKeys(c, { action: 'filter', limit }), ['400 KMS.0308'], '400 KMS.0308', `limit ${limit}`);
      }
    },
  },
];
