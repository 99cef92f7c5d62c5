import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { KmsError, type KmsErrorCode } from '../errors';
import { KeyState, type Scope } from '../keys/key-record';
import { MAX_TAGS_PER_KEY, TAG_KEY_MAX_CHARS, TAG_VALUE_MAX_CHARS, type KeyTag, type TagFilter } from '../keys/key-tags';
import { MemoryKeyStore } from '../store/memory-key-store';
import { DAY_MS } from './key-lifecycle';
import { KmsService } from './kms-service';

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const B: Scope = { domainId: A.domainId, projectId: 'b2'.repeat(16) };

async function open(now: () => number = Date.now): Promise<KmsService> {
  return KmsService.open({ region: 'test-1', store: new MemoryKeyStore(), rootKey: RootKey.generate(), now });
}

async function expectKmsError(promise: Promise<unknown>, code: KmsErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  expect((error as KmsError).code).toBe(code);
}

describe('KeyTagOperations: add, show, delete, batch', () => {
  it('adds a tag, overwrites its value by key, shows tags by key and deletes them (a missing tag is no error)', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'tagged' });
    await service.tags.addKeyTag(A, keyId, { key: 'env', value: 'dev' });
    await service.tags.addKeyTag(A, keyId, { key: 'Team', value: '' });
    await service.tags.addKeyTag(A, keyId, { key: 'env', value: 'prod' });
    await expect(service.tags.showKeyTags(A, keyId)).resolves.toEqual([
      { key: 'Team', value: '' },
      { key: 'env', value: 'prod' },
    ]);
    await service.tags.deleteKeyTag(A, keyId, 'env');
    await service.tags.deleteKeyTag(A, keyId, 'env');
    await expect(service.tags.showKeyTags(A, keyId)).resolves.toEqual([{ key: 'Team', value: '' }]);
  });

  it('accepts keys and values at their length limits in Unicode characters, and refuses one more with KMS.0308', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'limits' });
    const longKey = '🔑'.repeat(TAG_KEY_MAX_CHARS);
    const longValue = 'é'.repeat(TAG_VALUE_MAX_CHARS);
    await service.tags.addKeyTag(A, keyId, { key: longKey, value: longValue });
    await expect(service.tags.showKeyTags(A, keyId)).resolves.toEqual([{ key: longKey, value: longValue }]);
    await expectKmsError(service.tags.addKeyTag(A, keyId, { key: 'k'.repeat(TAG_KEY_MAX_CHARS + 1), value: '' }), 'KMS.0308');
    await expectKmsError(service.tags.addKeyTag(A, keyId, { key: 'k', value: 'v'.repeat(TAG_VALUE_MAX_CHARS + 1) }), 'KMS.0308');
    await expectKmsError(service.tags.addKeyTag(A, keyId, { key: '', value: 'v' }), 'KMS.0308');
  });

  it('refuses every forbidden character (ASCII 0-31, *, <, >, \\, =) in a key or a value with KMS.0308', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'characters' });
    const forbidden = [...Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)), '*', '<', '>', '\\', '='];
    for (const character of forbidden) {
      await expectKmsError(service.tags.addKeyTag(A, keyId, { key: `a${character}b`, value: '' }), 'KMS.0308');
      await expectKmsError(service.tags.addKeyTag(A, keyId, { key: 'a', value: `x${character}` }), 'KMS.0308');
    }
    await expect(service.tags.showKeyTags(A, keyId)).resolves.toEqual([]);
    // What is allowed: spaces, punctuation other than the forbidden ones, DEL, any other Unicode.
    await service.tags.addKeyTag(A, keyId, { key: 'a b.c:d/e_f-g@h+', value: 'x\u007f 环境 ?' });
  });

  it(`holds at most ${MAX_TAGS_PER_KEY} tags: an addition past it is KMS.0308 and adds nothing; overwrites still work`, async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'full' });
    const tags = Array.from({ length: MAX_TAGS_PER_KEY }, (_, i) => ({ key: `k${i}`, value: `${i}` }));
    await service.tags.batchKeyTags(A, keyId, 'create', tags);
    await expectKmsError(service.tags.addKeyTag(A, keyId, { key: 'one-more', value: '' }), 'KMS.0308');
    await expectKmsError(service.tags.batchKeyTags(A, keyId, 'create', [{ key: 'k0', value: 'x' }, { key: 'new' }]), 'KMS.0308');
    expect(await service.tags.showKeyTags(A, keyId)).toEqual(tags);
    await service.tags.addKeyTag(A, keyId, { key: 'k0', value: 'changed' });
    expect((await service.tags.showKeyTags(A, keyId))[0]).toEqual({ key: 'k0', value: 'changed' });
  });

  it('batch: create sets all (value defaults to empty), delete removes by key (and value when given); a repeated key or an empty list is KMS.0308 and changes nothing', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'batch' });
    await service.tags.batchKeyTags(A, keyId, 'create', [{ key: 'a', value: '1' }, { key: 'b' }, { key: 'c', value: '3' }]);
    await expectKmsError(
      service.tags.batchKeyTags(A, keyId, 'create', [
        { key: 'x', value: '1' },
        { key: 'x', value: '2' },
      ]),
      'KMS.0308',
    );
    await expectKmsError(service.tags.batchKeyTags(A, keyId, 'delete', [{ key: 'a' }, { key: 'a' }]), 'KMS.0308');
    await expectKmsError(service.tags.batchKeyTags(A, keyId, 'create', []), 'KMS.0308');
    await service.tags.batchKeyTags(A, keyId, 'delete', [{ key: 'a', value: '1' }, { key: 'c', value: 'not 3' }, { key: 'absent' }]);
    await expect(service.tags.showKeyTags(A, keyId)).resolves.toEqual([
      { key: 'b', value: '' },
      { key: 'c', value: '3' },
    ]);
  });

  it("answers KMS.0205 for a malformed key ID and KMS.0207 for a missing key or another project's, changing nothing", async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'mine' });
    for (const attempt of [
      (scope: Scope, id: string) => service.tags.showKeyTags(scope, id),
      (scope: Scope, id: string) => service.tags.addKeyTag(scope, id, { key: 'a', value: '' }),
      (scope: Scope, id: string) => service.tags.deleteKeyTag(scope, id, 'a'),
      (scope: Scope, id: string) => service.tags.batchKeyTags(scope, id, 'create', [{ key: 'a' }]),
    ]) {
      await expectKmsError(attempt(A, 'alias/mine'), 'KMS.0205');
      await expectKmsError(attempt(A, keyId.toUpperCase()), 'KMS.0205');
      await expectKmsError(attempt(A, randomUUID()), 'KMS.0207');
      await expectKmsError(attempt(B, keyId), 'KMS.0207');
    }
    await expect(service.tags.showKeyTags(A, keyId)).resolves.toEqual([]);
  });

  it('tags a key in every state (the API restricts tags by none) until it is past its deletion date, then KMS.0207', async () => {
    let now = 1_800_000_000_000;
    const service = await open(() => now);
    const external = await service.createKey(A, { keyAlias: 'external', origin: 'external' });
    const key = await service.createKey(A, { keyAlias: 'states' });
    const check = async (keyId: string, state: string): Promise<void> => {
      expect((await service.describeKey(A, keyId)).keyState).toBe(state);
      await service.tags.addKeyTag(A, keyId, { key: `in-${state}`, value: state });
      expect((await service.tags.showKeyTags(A, keyId)).map((tag) => tag.key)).toContain(`in-${state}`);
      await service.tags.deleteKeyTag(A, keyId, `in-${state}`);
    };
    await check(external.keyId, KeyState.PendingImport);
    await check(key.keyId, KeyState.Enabled);
    await service.disableKey(A, key.keyId);
    await check(key.keyId, KeyState.Disabled);
    await service.scheduleKeyDeletion(A, key.keyId, 7);
    await check(key.keyId, KeyState.PendingDeletion);
    await service.tags.addKeyTag(A, key.keyId, { key: 'left', value: '' });
    now += 7 * DAY_MS;
    await expectKmsError(service.tags.showKeyTags(A, key.keyId), 'KMS.0207');
    await expectKmsError(service.tags.addKeyTag(A, key.keyId, { key: 'late', value: '' }), 'KMS.0207');
    expect(await service.tags.listProjectTags(A)).toEqual([]);
    expect((await service.tags.findKeysByTags(A, { action: 'count', filter: { tags: [{ key: 'left', values: [] }] } })).totalCount).toBe(0);
    await service.purgeDueKeys();
    expect(await service.tags.listProjectTags(A)).toEqual([]);
  });
});

describe('KeyTagOperations: project tags and find keys by tags', () => {
  it("lists the project's tag keys with their distinct values, both in code-unit order, and nothing of another project", async () => {
    const service = await open();
    const first = await service.createKey(A, { keyAlias: 'first' });
    const second = await service.createKey(A, { keyAlias: 'second' });
    const other = await service.createKey(B, { keyAlias: 'other' });
    await service.tags.batchKeyTags(A, first.keyId, 'create', [
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'a' },
    ]);
    await service.tags.batchKeyTags(A, second.keyId, 'create', [
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'a' },
    ]);
    await service.tags.addKeyTag(B, other.keyId, { key: 'secret', value: 'b' });
    await expect(service.tags.listProjectTags(A)).resolves.toEqual([
      { key: 'env', values: ['dev', 'prod'] },
      { key: 'team', values: ['a'] },
    ]);
  });

  it('refuses an out-of-range limit or offset and a malformed filter with KMS.0308', async () => {
    const service = await open();
    const none: TagFilter = { tags: [] };
    for (const limit of [0, 1001, 1.5])
      await expectKmsError(service.tags.findKeysByTags(A, { action: 'filter', limit, filter: none }), 'KMS.0308');
    await expectKmsError(service.tags.findKeysByTags(A, { action: 'filter', offset: -1, filter: none }), 'KMS.0308');
    const bad: TagFilter[] = [
      {
        tags: [
          { key: 'a', values: [] },
          { key: 'a', values: ['x'] },
        ],
      },
      { tags: [{ key: 'a', values: ['x', 'x'] }] },
      { tags: [{ key: 'a', values: Array.from({ length: 11 }, (_, i) => `${i}`) }] },
      { tags: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, values: [] })) },
      { tags: [{ key: '', values: [] }] },
      { tags: [{ key: 'a', values: ['x=y'] }] },
      { tags: [], resourceNameContains: '' },
      { tags: [], resourceNameContains: 'n'.repeat(256) },
    ];
    for (const filter of bad) await expectKmsError(service.tags.findKeysByTags(A, { action: 'count', filter }), 'KMS.0308');
  });

  // The reference model: the API's words, written independently of matchesTagFilter.
  function modelMatches(alias: string, tags: readonly KeyTag[], filter: TagFilter): boolean {
    for (const condition of filter.tags) {
      const values = tags.filter((tag) => tag.key === condition.key).map((tag) => tag.value);
      if (values.length === 0) return false;
      if (condition.values.length > 0 && !values.some((value) => condition.values.includes(value))) return false;
    }
    return filter.resourceNameContains === undefined || alias.indexOf(filter.resourceNameContains) >= 0;
  }

  it('finds exactly the keys the reference model finds, in creation order, across pages; count gives the total (fast-check)', async () => {
    const tagKey = fc.constantFrom('env', 'team', 'tier', 'Env');
    const tagValue = fc.constantFrom('', 'prod', 'dev', 'a');
    const keyTags = fc.uniqueArray(fc.record({ key: tagKey, value: tagValue }), { selector: (tag) => tag.key, maxLength: 4 });
    const condition = fc.record({ key: tagKey, values: fc.uniqueArray(tagValue, { maxLength: 3 }) });
    const filter = fc.record(
      {
        tags: fc.uniqueArray(condition, { selector: (c) => c.key, maxLength: 3 }),
        resourceNameContains: fc.constantFrom('k', 'key-1', 'y-', '2'),
      },
      { requiredKeys: ['tags'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(keyTags, { minLength: 0, maxLength: 8 }),
        filter,
        fc.integer({ min: 1, max: 4 }),
        async (keys, query, limit) => {
          let clock = 1_800_000_000_000;
          const service = await open(() => (clock += 1));
          const made: Array<{ keyId: string; alias: string; tags: KeyTag[] }> = [];
          for (const [index, tags] of keys.entries()) {
            const alias = `key-${index}`;
            const { keyId } = await service.createKey(A, { keyAlias: alias });
            if (tags.length > 0) await service.tags.batchKeyTags(A, keyId, 'create', tags);
            made.push({ keyId, alias, tags });
          }
          const expected = made.filter((key) => modelMatches(key.alias, key.tags, query)).map((key) => key.keyId);
          const found: string[] = [];
          for (let offset = 0; ; offset += limit) {
            const page = await service.tags.findKeysByTags(A, { action: 'filter', limit, offset, filter: query });
            expect(page.totalCount).toBe(expected.length);
            found.push(...page.resources.map((resource) => resource.key.keyId));
            for (const resource of page.resources) {
              const source = made.find((key) => key.keyId === resource.key.keyId)!;
              expect(resource.tags).toEqual([...source.tags].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)));
              expect(resource.key.wrappedMaterial).toBeNull();
            }
            if (page.resources.length < limit) break;
          }
          expect(found).toEqual(expected);
          const counted = await service.tags.findKeysByTags(A, { action: 'count', filter: query });
          expect(counted).toEqual({ resources: [], totalCount: expected.length });
        },
      ),
      { numRuns: 60 },
    );
  });
});
