import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { openAesGcm, sealAesGcm } from '../crypto/aes-gcm';
import { RootKey, type KeyMaterialOwner } from '../crypto/root-key';
import { decodeDatakeyBlob, encodeDatakeyBlob } from '../ciphertext/datakey-blob';
import { datakeyAad } from '../ciphertext/datakey-seal';
import type { EncryptionContext } from '../ciphertext/encryption-context';
import { KmsError, type KmsErrorCode } from '../errors';
import { KEY_ID_PATTERN } from '../keys/key-id';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import type { KeyStore } from '../store/key-store';
import type { ListCursor } from '../keys/list-cursor';
import { KmsService, LIST_KEYS_MAX_LIMIT, type KmsServiceOptions } from './kms-service';

const REGION = 'test-1';
/** The caller's project. */
const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
/** Same domain, another project. */
const SIBLING: Scope = { domainId: A.domainId, projectId: 'c3'.repeat(16) };
/** Another domain whose project happens to have the same ID. */
const STRANGER: Scope = { domainId: 'b4'.repeat(16), projectId: A.projectId };

async function setup(options: Partial<KmsServiceOptions> = {}) {
  const store = options.store ?? new MemoryKeyStore();
  const rootKey = options.rootKey ?? RootKey.generate();
  const service = await KmsService.open({ region: REGION, ...options, store, rootKey });
  return { service, store, rootKey };
}

/** Awaits a rejection and checks it is a KmsError with this code. */
async function kmsError(promise: Promise<unknown>, code: KmsErrorCode): Promise<KmsError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected ${code}, but the call succeeded`);
  expect(outcome.rejected).toBeInstanceOf(KmsError);
  expect((outcome.rejected as KmsError).code).toBe(code);
  return outcome.rejected as KmsError;
}

function flipBit(data: Buffer, bit: number): Buffer {
  const copy = Buffer.from(data);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function sameMap(a: EncryptionContext, b: EncryptionContext): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}

/** Inserts a key record directly, with material we know, in any state. */
async function insertRawKey(
  store: KeyStore,
  rootKey: RootKey,
  scope: Scope,
  overrides: Partial<KeyRecord> = {},
): Promise<{ record: KeyRecord; material: Buffer }> {
  const keyId = randomUUID();
  const material = randomBytes(32);
  const record: KeyRecord = {
    keyId,
    domainId: scope.domainId,
    projectId: scope.projectId,
    keyAlias: `raw/${keyId}`,
    keyDescription: '',
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 0,
    wrappedMaterial: rootKey.wrap(material, { ...scope, keyId }),
    ...overrides,
  };
  expect(await store.insertKey(record, { maxKeysPerProject: 1000 })).toEqual({ ok: true });
  return { record, material };
}

/** A data key sealed by hand under known material, as createDataKey would. */
function sealDataKeyByHand(keyId: string, material: Buffer, dek: Buffer, context: EncryptionContext = {}): Buffer {
  return encodeDatakeyBlob({ keyId, payload: sealAesGcm(material, dek, datakeyAad(keyId, context)) });
}

describe('KmsService.open', () => {
  it('accepts the same root key again on the same store', async () => {
    const { store, rootKey } = await setup();
    await expect(KmsService.open({ store, rootKey, region: REGION })).resolves.toBeInstanceOf(KmsService);
    expect(await store.getMeta('root_key_check_value')).toBe(rootKey.checkValue());
  });

  it('rejects another root key on the same store, naming the check value', async () => {
    const { store } = await setup();
    await expect(KmsService.open({ store, rootKey: RootKey.generate(), region: REGION })).rejects.toThrow(/check value/);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxKeysPerProject %p', async (maxKeysPerProject) => {
    await expect(setup({ maxKeysPerProject })).rejects.toThrow(/maxKeysPerProject/);
  });

  it('lets a new instance over the same store and root key open earlier data keys', async () => {
    const { service, store, rootKey } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'k' });
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: { t: 'x' } });
    const reopened = await KmsService.open({ store, rootKey, region: REGION });
    const opened = await reopened.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext: { t: 'x' } });
    expect(opened).toEqual({ keyId, plaintext: dataKey.plaintext });
  });
});

describe('KmsService.createKey', () => {
  it('creates an enabled key with wrapped 256-bit material and returns its ID and domain', async () => {
    const { service, store, rootKey } = await setup({ now: () => 1_700_000_000_000 });
    const created = await service.createKey(A, { keyAlias: 'app/orders', keyDescription: 'Orders' });
    expect(created.keyId).toMatch(KEY_ID_PATTERN);
    expect(created.domainId).toBe(A.domainId);

    const record = await store.findKeyById(A, created.keyId);
    expect(record).toEqual({
      keyId: created.keyId,
      domainId: A.domainId,
      projectId: A.projectId,
      keyAlias: 'app/orders',
      keyDescription: 'Orders',
      origin: 'kms',
      keyState: KeyState.Enabled,
      enterpriseProjectId: '0',
      creationDate: 1_700_000_000_000,
      wrappedMaterial: expect.any(Buffer),
    });
    expect(rootKey.unwrap(record!.wrappedMaterial!, record!)?.length).toBe(32);
  });

  it('passes the enterprise project through and uses the injected key ID generator', async () => {
    const keyId = '11111111-2222-3333-4444-555555555555';
    const { service, store } = await setup({ newKeyId: () => keyId });
    const enterpriseProjectId = '5c8f3a1e-0b7d-4e2a-9c6f-1d2e3f4a5b6c';
    await expect(service.createKey(A, { keyAlias: 'k', enterpriseProjectId })).resolves.toEqual({ keyId, domainId: A.domainId });
    expect((await store.findKeyById(A, keyId))?.enterpriseProjectId).toBe(enterpriseProjectId);
  });

  it('gives each key its own ID and material', async () => {
    const { service, store, rootKey } = await setup();
    const ids = await Promise.all(['a', 'b', 'c'].map(async (keyAlias) => (await service.createKey(A, { keyAlias })).keyId));
    expect(new Set(ids).size).toBe(3);
    const materials = await Promise.all(
      ids.map(async (keyId) => {
        const record = (await store.findKeyById(A, keyId))!;
        return rootKey.unwrap(record.wrappedMaterial!, record)!.toString('hex');
      }),
    );
    expect(new Set(materials).size).toBe(3);
  });

  describe('key_alias', () => {
    it.each([
      ['1 character', 'a'],
      ['255 characters', 'x'.repeat(255)],
      ['every allowed character', 'aZ09:/_-'],
      ['"default" alone', 'default'],
      ['x/defaults', 'x/defaults'],
      ['x/default/y', 'x/default/y'],
      ['default/x', 'default/x'],
      ['x-default', 'x-default'],
    ])('accepts %s', async (_name, keyAlias) => {
      const { service } = await setup();
      await expect(service.createKey(A, { keyAlias })).resolves.toMatchObject({ domainId: A.domainId });
    });

    it.each([
      ['empty', ''],
      ['256 characters', 'x'.repeat(256)],
      ['a space', 'app orders'],
      ['a dot', 'app.orders'],
      ['é', 'café'],
      ['a newline at the end', 'app\n'],
      ['x/default', 'x/default'],
      ['/default', '/default'],
      ['a/b/default', 'a/b/default'],
    ])('rejects %s with KMS.1101', async (_name, keyAlias) => {
      const { service, store } = await setup();
      await kmsError(service.createKey(A, { keyAlias }), 'KMS.1101');
      expect(await store.countKeys(A)).toBe(0);
    });
  });

  describe('key_description', () => {
    it.each([
      ['empty', ''],
      ['255 characters', 'd'.repeat(255)],
      ['255 astral code points (510 UTF-16 units)', '🔑'.repeat(255)],
    ])('accepts %s', async (_name, keyDescription) => {
      const { service, store } = await setup();
      const { keyId } = await service.createKey(A, { keyAlias: 'k', keyDescription });
      expect((await store.findKeyById(A, keyId))?.keyDescription).toBe(keyDescription);
    });

    it.each([
      ['256 characters', 'd'.repeat(256)],
      ['256 astral code points', '🔑'.repeat(256)],
    ])('rejects %s with KMS.1103', async (_name, keyDescription) => {
      const { service } = await setup();
      await kmsError(service.createKey(A, { keyAlias: 'k', keyDescription }), 'KMS.1103');
    });
  });

  it('rejects an unknown origin with KMS.0308', async () => {
    const { service } = await setup();
    await kmsError(service.createKey(A, { keyAlias: 'k', origin: 'hsm' as never }), 'KMS.0308');
  });

  it('creates an external key pending import, without material, that cannot make data keys (KMS.0310)', async () => {
    const { service, store } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'imported', origin: 'external' });
    const record = await store.findKeyById(A, keyId);
    expect(record).toMatchObject({ origin: 'external', keyState: KeyState.PendingImport, wrappedMaterial: null });
    await kmsError(service.createDataKey(A, { keyId, datakeyBits: 256 }), 'KMS.0310');
    await kmsError(service.createDataKey(A, { keyId: 'alias/imported', datakeyBits: 256 }), 'KMS.0310');
  });

  it('rejects a duplicate alias in the project with KMS.1104, but not in another project', async () => {
    const { service, store } = await setup();
    await service.createKey(A, { keyAlias: 'app/orders' });
    await kmsError(service.createKey(A, { keyAlias: 'app/orders' }), 'KMS.1104');
    expect(await store.countKeys(A)).toBe(1);
    await expect(service.createKey(SIBLING, { keyAlias: 'app/orders' })).resolves.toBeDefined();
    await expect(service.createKey(STRANGER, { keyAlias: 'app/orders' })).resolves.toBeDefined();
  });

  it('enforces maxKeysPerProject with KMS.1105 per project; a duplicate alias is still KMS.1104', async () => {
    const { service, store } = await setup({ maxKeysPerProject: 3 });
    for (const keyAlias of ['k1', 'k2', 'k3']) await service.createKey(A, { keyAlias });
    await kmsError(service.createKey(A, { keyAlias: 'k4' }), 'KMS.1105');
    await kmsError(service.createKey(A, { keyAlias: 'k1' }), 'KMS.1104');
    expect(await store.countKeys(A)).toBe(3);
    for (const keyAlias of ['k1', 'k2', 'k3']) await service.createKey(SIBLING, { keyAlias });
    await kmsError(service.createKey(SIBLING, { keyAlias: 'k4' }), 'KMS.1105');
  });

  it('defaults to 1000 keys per project', async () => {
    const { service } = await setup();
    for (let i = 0; i < 1000; i += 1) await service.createKey(A, { keyAlias: `k${i}` });
    await kmsError(service.createKey(A, { keyAlias: 'one-more' }), 'KMS.1105');
  });
});

describe('KmsService.createDataKey', () => {
  let service: KmsService;
  let store: KeyStore;
  let rootKey: RootKey;
  let keyId: string;

  beforeEach(async () => {
    ({ service, store, rootKey } = await setup());
    ({ keyId } = await service.createKey(A, { keyAlias: 'app/orders' }));
  });

  it.each([
    [8, 1],
    [512, 64],
    [8192, 1024],
  ])('makes a %d-bit data key of %d bytes, sealed in a blob naming the key', async (datakeyBits, bytes) => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits });
    expect(dataKey.keyId).toBe(keyId);
    expect(dataKey.plaintext.length).toBe(bytes);
    // version/offset 4, nonce 12, sealed DEK, tag 16, key ID 36, reserved 4, checksum 32.
    expect(dataKey.ciphertext.length).toBe(bytes + 104);
    expect(decodeDatakeyBlob(dataKey.ciphertext)?.keyId).toBe(keyId);
  });

  it.each([
    [0, 'KMS.1901'],
    [4, 'KMS.1901'],
    [8200, 'KMS.1901'],
    [9999, 'KMS.1901'],
    [10000, 'KMS.1901'],
    [-8, 'KMS.1901'],
    [512.5, 'KMS.1901'],
    [Number.NaN, 'KMS.1901'],
    [12, 'KMS.1903'],
    [8191, 'KMS.1903'],
  ] as const)('answers %p bits with %s', async (datakeyBits, code) => {
    await kmsError(service.createDataKey(A, { keyId, datakeyBits }), code);
  });

  it('checks the request fields before looking up the key', async () => {
    const unknown = randomUUID();
    await kmsError(service.createDataKey(A, { keyId: unknown, datakeyBits: 12 }), 'KMS.1903');
    await kmsError(service.createDataKey(A, { keyId: unknown, datakeyBits: 256, encryptionContext: { k: 1 } as never }), 'KMS.0208');
  });

  it('returns a different data key and ciphertext (and nonce) on each call', async () => {
    const first = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const second = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    expect(first.plaintext.equals(second.plaintext)).toBe(false);
    expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
    expect(first.ciphertext.subarray(4, 16).equals(second.ciphertext.subarray(4, 16))).toBe(false);
  });

  it('seals the data key under the CMK material with the documented AAD', async () => {
    const context = { table: 'orders' };
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: context });
    const record = (await store.findKeyById(A, keyId))!;
    const material = rootKey.unwrap(record.wrappedMaterial!, record)!;
    const payload = decodeDatakeyBlob(dataKey.ciphertext)!.payload;
    expect(openAesGcm(material, payload, datakeyAad(keyId, context))).toEqual(dataKey.plaintext);
    expect(openAesGcm(material, payload, datakeyAad(keyId, {}))).toBeUndefined();
  });

  describe('key resolution', () => {
    it.each([
      ['its ID', () => keyId],
      ['alias/NAME', () => 'alias/app/orders'],
      ['the alias URN', () => `kms:${REGION}:${A.domainId}:alias:app/orders`],
    ])('finds the key by %s', async (_name, reference) => {
      const dataKey = await service.createDataKey(A, { keyId: reference(), datakeyBits: 256 });
      expect(dataKey.keyId).toBe(keyId);
      await expect(service.decryptDataKey(A, { ciphertext: dataKey.ciphertext })).resolves.toEqual({ keyId, plaintext: dataKey.plaintext });
    });

    it.each([
      ['another region', () => `kms:other-1:${A.domainId}:alias:app/orders`],
      ['another domain', () => `kms:${REGION}:${STRANGER.domainId}:alias:app/orders`],
    ])('answers a URN naming %s with KMS.0207', async (_name, reference) => {
      await service.createKey(STRANGER, { keyAlias: 'app/orders' });
      await kmsError(service.createDataKey(A, { keyId: reference(), datakeyBits: 256 }), 'KMS.0207');
    });

    it('does not let a URN naming another domain reach that domain’s key', async () => {
      await service.createKey(STRANGER, { keyAlias: 'theirs' });
      await kmsError(service.createDataKey(A, { keyId: `kms:${REGION}:${STRANGER.domainId}:alias:theirs`, datakeyBits: 256 }), 'KMS.0207');
      await kmsError(
        service.createDataKey(STRANGER, { keyId: `kms:${REGION}:${A.domainId}:alias:app/orders`, datakeyBits: 256 }),
        'KMS.0207',
      );
    });

    it.each([
      ['same domain, another project', SIBLING],
      ['another domain, same project ID', STRANGER],
    ])('hides the key from %s, by ID and by alias (KMS.0207)', async (_name, other) => {
      await kmsError(service.createDataKey(other, { keyId, datakeyBits: 256 }), 'KMS.0207');
      await kmsError(service.createDataKey(other, { keyId: 'alias/app/orders', datakeyBits: 256 }), 'KMS.0207');
      await kmsError(
        service.createDataKey(other, { keyId: `kms:${REGION}:${other.domainId}:alias:app/orders`, datakeyBits: 256 }),
        'KMS.0207',
      );
    });

    it('resolves an alias to the caller’s own key when another project has the same alias', async () => {
      const theirs = await service.createKey(SIBLING, { keyAlias: 'app/orders' });
      expect((await service.createDataKey(A, { keyId: 'alias/app/orders', datakeyBits: 8 })).keyId).toBe(keyId);
      expect((await service.createDataKey(SIBLING, { keyId: 'alias/app/orders', datakeyBits: 8 })).keyId).toBe(theirs.keyId);
    });

    it('answers an unknown ID or alias with KMS.0207', async () => {
      await kmsError(service.createDataKey(A, { keyId: randomUUID(), datakeyBits: 256 }), 'KMS.0207');
      await kmsError(service.createDataKey(A, { keyId: 'alias/unknown', datakeyBits: 256 }), 'KMS.0207');
    });

    it.each([
      '',
      'not a key',
      '0D0466B0-E727-4D9C-B35D-F84BB474A37F',
      'alias/',
      'alias/a b',
      'kms:r:d:alias:',
      'kms:r:d-1:alias:x',
      '0d0466b0e727',
    ])('answers the malformed key_id %p with KMS.0205', async (reference) => {
      await kmsError(service.createDataKey(A, { keyId: reference, datakeyBits: 256 }), 'KMS.0205');
    });
  });

  describe('encryption_context', () => {
    it('accepts exactly 8192 characters serialized, and rejects 8193 with KMS.0208', async () => {
      // {"k":"…"} is 8 characters around the value.
      const exact = { k: 'v'.repeat(8184) };
      expect(JSON.stringify(exact)).toHaveLength(8192);
      const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: exact });
      await expect(service.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext: exact })).resolves.toBeDefined();
      await kmsError(service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: { k: 'v'.repeat(8185) } }), 'KMS.0208');
    });

    it('counts the serialized form, escapes included', async () => {
      // Each quote serializes as two characters.
      await expect(service.createDataKey(A, { keyId, datakeyBits: 8, encryptionContext: { k: '"'.repeat(4092) } })).resolves.toBeDefined();
      await kmsError(service.createDataKey(A, { keyId, datakeyBits: 8, encryptionContext: { k: '"'.repeat(4093) } }), 'KMS.0208');
    });

    it.each([
      ['a number value', { k: 1 }],
      ['a null value', { k: null }],
      ['a nested object', { k: { x: 'y' } }],
      ['an array value', { k: ['x'] }],
      ['a boolean value', { k: true }],
      ['a lone high surrogate in a value', { k: '\uD800' }],
      ['a lone low surrogate in a key', { '\uDC00x': 'v' }],
    ])('rejects %s with KMS.0208', async (_name, encryptionContext) => {
      await kmsError(service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: encryptionContext as never }), 'KMS.0208');
    });

    it.each([
      ['null', null],
      ['an array', ['a']],
      ['a string', 'table=orders'],
      ['a number', 1],
    ])('rejects a context that is %s with KMS.0208', async (_name, encryptionContext) => {
      await kmsError(service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: encryptionContext as never }), 'KMS.0208');
    });

    it('accepts a properly paired astral character', async () => {
      await expect(service.createDataKey(A, { keyId, datakeyBits: 8, encryptionContext: { '🔑': '🔒' } })).resolves.toBeDefined();
    });
  });
});

describe('KmsService.decryptDataKey', () => {
  let service: KmsService;
  let store: KeyStore;
  let rootKey: RootKey;
  let keyId: string;

  beforeEach(async () => {
    ({ service, store, rootKey } = await setup());
    ({ keyId } = await service.createKey(A, { keyAlias: 'app/orders' }));
  });

  it('opens a data key with the same context', async () => {
    const encryptionContext = { table: 'orders', tenant: 'acme' };
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 512, encryptionContext });
    await expect(
      service.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext: { tenant: 'acme', table: 'orders' } }),
    ).resolves.toEqual({
      keyId,
      plaintext: dataKey.plaintext,
    });
  });

  it('treats an absent context and an empty one alike', async () => {
    const withoutContext = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const withEmpty = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: {} });
    expect((await service.decryptDataKey(A, { ciphertext: withoutContext.ciphertext, encryptionContext: {} })).plaintext).toEqual(
      withoutContext.plaintext,
    );
    expect((await service.decryptDataKey(A, { ciphertext: withEmpty.ciphertext })).plaintext).toEqual(withEmpty.plaintext);
  });

  it('fails with KMS.2203 under any other context', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 8 });
    const context = fc.dictionary(text, text, { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(context, context, async (sealedWith, openedWith) => {
        fc.pre(!sameMap(sealedWith, openedWith));
        const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 128, encryptionContext: sealedWith });
        await kmsError(service.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext: openedWith }), 'KMS.2203');
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['a missing pair', { table: 'orders' }],
    ['an extra pair', { table: 'orders', tenant: 'acme', extra: '' }],
    ['a changed value', { table: 'orders', tenant: 'Acme' }],
    ['a moved boundary', { table: 'orders', tenan: 'tacme' }],
    ['no context at all', undefined],
  ])('fails with KMS.2203 for %s', async (_name, encryptionContext) => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: { table: 'orders', tenant: 'acme' } });
    await kmsError(service.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext }), 'KMS.2203');
  });

  it('rejects an invalid context with KMS.0208', async () => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await kmsError(service.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext: { k: 1 } as never }), 'KMS.0208');
  });

  it('fails with KMS.2203 for a blob relabelled with another key of the same project', async () => {
    const other = await service.createKey(A, { keyAlias: 'other' });
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const { payload } = decodeDatakeyBlob(dataKey.ciphertext)!;
    const relabelled = encodeDatakeyBlob({ keyId: other.keyId, payload });
    await kmsError(service.decryptDataKey(A, { ciphertext: relabelled }), 'KMS.2203');
  });

  it('fails with KMS.2203 for a payload altered under a recomputed checksum', async () => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const { payload } = decodeDatakeyBlob(dataKey.ciphertext)!;
    for (const bit of [0, 12 * 8, payload.length * 8 - 1]) {
      const altered = encodeDatakeyBlob({ keyId, payload: flipBit(payload, bit) });
      await kmsError(service.decryptDataKey(A, { ciphertext: altered }), 'KMS.2203');
    }
  });

  it('never succeeds with a flipped bit anywhere: KMS.2201 (or KMS.2203)', async () => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: dataKey.ciphertext.length * 8 - 1 }), async (bit) => {
        const outcome = await service.decryptDataKey(A, { ciphertext: flipBit(dataKey.ciphertext, bit) }).then(
          () => 'success',
          (error: unknown) => (error instanceof KmsError ? error.code : String(error)),
        );
        expect(['KMS.2201', 'KMS.2203']).toContain(outcome);
      }),
      { numRuns: 150 },
    );
  });

  it('fails with KMS.2201 for any truncation, garbage or nothing', async () => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    for (let length = 0; length < dataKey.ciphertext.length; length += 1) {
      await kmsError(service.decryptDataKey(A, { ciphertext: dataKey.ciphertext.subarray(0, length) }), 'KMS.2201');
    }
    await kmsError(service.decryptDataKey(A, { ciphertext: randomBytes(dataKey.ciphertext.length) }), 'KMS.2201');
  });

  it.each([
    ['same domain, another project', SIBLING],
    ['another domain, same project ID', STRANGER],
  ])('answers a caller from %s with KMS.0207', async (_name, other) => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await kmsError(service.decryptDataKey(other, { ciphertext: dataKey.ciphertext }), 'KMS.0207');
  });

  it('answers a blob naming an unknown key with KMS.0207', async () => {
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const relabelled = encodeDatakeyBlob({ keyId: randomUUID(), payload: decodeDatakeyBlob(dataKey.ciphertext)!.payload });
    await kmsError(service.decryptDataKey(A, { ciphertext: relabelled }), 'KMS.0207');
  });

  it('answers a blob relabelled to a key pending import with KMS.0310', async () => {
    const external = await service.createKey(A, { keyAlias: 'ext', origin: 'external' });
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const relabelled = encodeDatakeyBlob({ keyId: external.keyId, payload: decodeDatakeyBlob(dataKey.ciphertext)!.payload });
    await kmsError(service.decryptDataKey(A, { ciphertext: relabelled }), 'KMS.0310');
  });

  it('opens a data key sealed by hand from the documented construction', async () => {
    const { record, material } = await insertRawKey(store, rootKey, A);
    const dek = randomBytes(32);
    const ciphertext = sealDataKeyByHand(record.keyId, material, dek, { a: 'b' });
    await expect(service.decryptDataKey(A, { ciphertext, encryptionContext: { a: 'b' } })).resolves.toEqual({
      keyId: record.keyId,
      plaintext: dek,
    });
  });
});

describe('KmsService.listKeys', () => {
  it('pages through the project in (creation date, key ID) order, each key once, with a typed cursor', async () => {
    let clock = 1_000;
    const { service } = await setup({ now: () => clock });
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock += i % 2; // two keys share each creation date: the key ID breaks the tie
      made.push((await service.createKey(A, { keyAlias: `k${i}` })).keyId);
    }
    await service.createKey(SIBLING, { keyAlias: 'elsewhere' });
    const seen: string[] = [];
    let after: ListCursor | undefined;
    for (;;) {
      const page = await service.listKeys(A, { limit: 2, after });
      expect(page.total).toBe(5);
      expect(page.keys.every((key) => key.wrappedMaterial === null)).toBe(true);
      seen.push(...page.keys.map((key) => key.keyId));
      if (!page.truncated) {
        expect(page.next).toBeUndefined();
        break;
      }
      const last = page.keys[page.keys.length - 1]!;
      expect(page.next).toEqual({ creationDate: last.creationDate, keyId: last.keyId });
      after = page.next;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(made));
  });

  it('defaults to LIST_KEYS_MAX_LIMIT and answers a limit outside 1 to 1000 with KMS.0308', async () => {
    const { service } = await setup();
    await service.createKey(A, { keyAlias: 'only' });
    expect((await service.listKeys(A)).keys).toHaveLength(1);
    expect((await service.listKeys(A, { limit: LIST_KEYS_MAX_LIMIT })).keys).toHaveLength(1);
    for (const limit of [0, -1, 1001, 1.5, Number.NaN]) await kmsError(service.listKeys(A, { limit }), 'KMS.0308');
  });

  it('filters by key state', async () => {
    const { service } = await setup();
    await service.createKey(A, { keyAlias: 'enabled' });
    await service.createKey(A, { keyAlias: 'imported', origin: 'external' });
    const pending = await service.listKeys(A, { keyState: KeyState.PendingImport });
    expect(pending.keys.map((key) => key.keyAlias)).toEqual(['imported']);
    expect(pending.total).toBe(1);
    expect((await service.listKeys(A, { keyState: KeyState.Disabled })).keys).toEqual([]);
  });
});

describe('KmsService and key states', () => {
  it.each([
    ['disabled', KeyState.Disabled, 'KMS.0209'],
    ['pending deletion', KeyState.PendingDeletion, 'KMS.0210'],
    ['waiting activation', KeyState.WaitingActivation, 'KMS.0209'],
    ['pending import', KeyState.PendingImport, 'KMS.0310'],
  ] as const)('refuses a key that is %s (%s) for both operations with %s', async (_name, keyState, code) => {
    const { service, store, rootKey } = await setup();
    const { record, material } = await insertRawKey(store, rootKey, A, { keyState });
    await kmsError(service.createDataKey(A, { keyId: record.keyId, datakeyBits: 256 }), code);
    await kmsError(service.createDataKey(A, { keyId: `alias/${record.keyAlias}`, datakeyBits: 256 }), code);
    const ciphertext = sealDataKeyByHand(record.keyId, material, randomBytes(32));
    await kmsError(service.decryptDataKey(A, { ciphertext }), code);
  });

  it.each([
    ['is not a valid wrapping', (_owner: KeyMaterialOwner, _rootKey: RootKey) => randomBytes(60), /failed authentication/],
    [
      'is random bytes of the current format',
      (_owner: KeyMaterialOwner, rootKey: RootKey) =>
        Buffer.concat([Buffer.of(1), Buffer.from(rootKey.checkValue(), 'hex'), randomBytes(60)]),
      /failed authentication/,
    ],
    [
      'was wrapped for another key',
      (owner: KeyMaterialOwner, rootKey: RootKey) => rootKey.wrap(randomBytes(32), { ...owner, keyId: randomUUID() }),
      /failed authentication/,
    ],
    [
      'was wrapped under a root key the service does not hold',
      (owner: KeyMaterialOwner) => RootKey.generate().wrap(randomBytes(32), owner),
      /root key [0-9a-f]{16}, which this server does not hold/,
    ],
  ])('fails with an internal error (not a KmsError) when stored material %s', async (_name, makeWrapped, message) => {
    const { service, store, rootKey } = await setup();
    const keyId = randomUUID();
    await insertRawKey(store, rootKey, A, { keyId, wrappedMaterial: makeWrapped({ ...A, keyId }, rootKey) });
    const outcome = await service.createDataKey(A, { keyId, datakeyBits: 256 }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(KmsError);
    expect((outcome as Error).message).toMatch(message);
  });
});

describe('KmsService keeps secrets out of error messages', () => {
  it('never includes the root key, CMK material or a data key in any error', async () => {
    const rootHex = randomBytes(32).toString('hex');
    const { service, store, rootKey } = await setup({ rootKey: RootKey.fromEncoded(rootHex), maxKeysPerProject: 2 });
    const { keyId } = await service.createKey(A, { keyAlias: 'k' });
    const record = (await store.findKeyById(A, keyId))!;
    const cmkHex = rootKey.unwrap(record.wrappedMaterial!, record)!.toString('hex');
    const context = { purpose: 'secrets-test' };
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: context });
    const dekHex = dataKey.plaintext.toString('hex');
    const { payload } = decodeDatakeyBlob(dataKey.ciphertext)!;

    const failures: Array<Promise<unknown>> = [
      service.decryptDataKey(A, { ciphertext: dataKey.ciphertext, encryptionContext: { purpose: 'other' } }),
      service.decryptDataKey(A, { ciphertext: dataKey.ciphertext }),
      service.decryptDataKey(A, { ciphertext: flipBit(dataKey.ciphertext, 100) }),
      service.decryptDataKey(A, { ciphertext: encodeDatakeyBlob({ keyId, payload: flipBit(payload, 200) }), encryptionContext: context }),
      service.decryptDataKey(SIBLING, { ciphertext: dataKey.ciphertext, encryptionContext: context }),
      service.decryptDataKey(A, { ciphertext: dataKey.ciphertext.subarray(0, 50) }),
      service.createDataKey(A, { keyId: dekHex, datakeyBits: 256 }),
      service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: { k: dekHex.repeat(200) } }),
      service.createKey(A, { keyAlias: 'k' }),
      service.createKey(A, { keyAlias: `${dekHex} ` }),
      service.createKey(A, { keyAlias: 'k2' }).then(() => service.createKey(A, { keyAlias: 'k3' })),
      KmsService.open({ store, rootKey: RootKey.generate(), region: REGION }),
    ];
    const errors = await Promise.all(
      failures.map((failure) =>
        failure.then(
          () => undefined,
          (error: unknown) => error as Error,
        ),
      ),
    );
    expect(errors.every((error) => error instanceof Error)).toBe(true);
    const secrets = [rootHex, cmkHex, dekHex, dataKey.plaintext.toString('base64')].flatMap((s) => [s, s.toUpperCase()]);
    for (const error of errors) {
      for (const secret of secrets) expect(`${error!.message}\n${error!.stack}`).not.toContain(secret);
    }
  });
});
