import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { KmsError, type KmsErrorCode } from '../errors';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import { KmsService } from './kms-service';
import { RANDOM_DATA_MAX_BITS, RANDOM_DATA_MIN_BITS } from './random-data';

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const B: Scope = { domainId: A.domainId, projectId: 'b2'.repeat(16) };

async function setup(randomBytesSource?: (size: number) => Buffer) {
  const store = new MemoryKeyStore();
  const rootKey = RootKey.generate();
  const service = await KmsService.open({
    region: 'test-1',
    store,
    rootKey,
    ...(randomBytesSource ? { randomBytes: randomBytesSource } : {}),
  });
  return { service, store, rootKey };
}

async function expectKmsError(promise: Promise<unknown> | (() => unknown), code: KmsErrorCode): Promise<void> {
  const run = typeof promise === 'function' ? async () => promise() : () => promise;
  await expect(run()).rejects.toBeInstanceOf(KmsError);
  await expect(run()).rejects.toMatchObject({ code });
}

/** A key in any state, inserted straight into the store (no operation sets states yet). */
async function insertKeyInState(store: MemoryKeyStore, rootKey: RootKey, keyState: KeyState): Promise<string> {
  const keyId = randomUUID();
  const record: KeyRecord = {
    keyId,
    ...A,
    keyAlias: `state/${keyId}`,
    keyDescription: '',
    origin: 'kms',
    keyState,
    enterpriseProjectId: '0',
    creationDate: 0,
    wrappedMaterial: keyState === KeyState.PendingImport ? null : rootKey.wrap(randomBytes(32), { ...A, keyId }),
  };
  expect(await store.insertKey(record, { maxKeysPerProject: 1000 })).toEqual({ ok: true });
  return keyId;
}

describe('KmsService.createDataKeyWithoutPlaintext', () => {
  it('returns only the key ID and a blob that decryptDataKey opens to a key of the asked length, under the same context and AAD', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'wp/one' });
    for (const datakeyBits of [8, 256, 512, 8192]) {
      const made = await service.createDataKeyWithoutPlaintext(A, {
        keyId: 'alias/wp/one',
        datakeyBits,
        encryptionContext: { t: 'x' },
        additionalAuthenticatedData: 'aad',
      });
      expect(Object.keys(made).sort()).toEqual(['ciphertext', 'keyId']);
      expect(made.keyId).toBe(keyId);
      const opened = await service.decryptDataKey(A, {
        ciphertext: made.ciphertext,
        encryptionContext: { t: 'x' },
        additionalAuthenticatedData: 'aad',
      });
      expect(opened.plaintext).toHaveLength(datakeyBits / 8);
      await expectKmsError(
        service.decryptDataKey(A, { ciphertext: made.ciphertext, encryptionContext: { t: 'y' }, additionalAuthenticatedData: 'aad' }),
        'KMS.2203',
      );
      await expectKmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext, encryptionContext: { t: 'x' } }), 'KMS.2203');
    }
  });

  it('uses the default length (256 bits) and key_spec as create-datakey does', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'wp/dflt' });
    const byDefault = await service.createDataKeyWithoutPlaintext(A, { keyId });
    expect((await service.decryptDataKey(A, { ciphertext: byDefault.ciphertext })).plaintext).toHaveLength(32);
    const bySpec = await service.createDataKeyWithoutPlaintext(A, { keyId, keySpec: 'AES_128' });
    expect((await service.decryptDataKey(A, { ciphertext: bySpec.ciphertext })).plaintext).toHaveLength(16);
  });

  it.each([
    [0, 'KMS.1901'],
    [8200, 'KMS.1901'],
    [12, 'KMS.1903'],
  ] as const)('refuses datakey length %i with %s', async (datakeyBits, code) => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: `wp/len${datakeyBits}` });
    await expectKmsError(service.createDataKeyWithoutPlaintext(A, { keyId, datakeyBits }), code);
  });

  it("answers KMS.0207 for a missing key and for another project's key, KMS.0205 for no reference", async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(B, { keyAlias: 'wp/other' });
    await expectKmsError(service.createDataKeyWithoutPlaintext(A, { keyId }), 'KMS.0207');
    await expectKmsError(service.createDataKeyWithoutPlaintext(A, { keyId: randomUUID() }), 'KMS.0207');
    await expectKmsError(service.createDataKeyWithoutPlaintext(A, { keyId: 'not a key' }), 'KMS.0205');
  });

  it.each([
    ['disabled', KeyState.Disabled, 'KMS.0209'],
    ['pending deletion', KeyState.PendingDeletion, 'KMS.0210'],
    ['pending import', KeyState.PendingImport, 'KMS.0310'],
  ] as const)('refuses a key that is %s with %s (the key state check create-datakey uses)', async (_name, keyState, code) => {
    const { service, store, rootKey } = await setup();
    const keyId = await insertKeyInState(store, rootKey, keyState);
    await expectKmsError(service.createDataKeyWithoutPlaintext(A, { keyId }), code);
  });

  it('zeroes the plaintext data key before returning (the DEK drawn from the randomness is wiped)', async () => {
    const drawn: Buffer[] = [];
    const { service } = await setup((size) => {
      const bytes = randomBytes(size);
      drawn.push(bytes);
      return bytes;
    });
    const { keyId } = await service.createKey(A, { keyAlias: 'wp/zero' });
    drawn.length = 0;
    await service.createDataKeyWithoutPlaintext(A, { keyId, datakeyBits: 512 });
    const dek = drawn.find((b) => b.length === 64);
    expect(dek).toBeDefined();
    expect(dek!.every((byte) => byte === 0)).toBe(true);
  });
});

describe('KmsService.generateRandom', () => {
  it('returns bits/8 bytes for every multiple of 8 from 8 to 8192', () => {
    fc.assert(
      fc.property(fc.integer({ min: RANDOM_DATA_MIN_BITS / 8, max: RANDOM_DATA_MAX_BITS / 8 }), (bytes) => {
        const service = servicePromiseless;
        expect(service.generateRandom(bytes * 8)).toHaveLength(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any other length with KMS.0308 naming random_data_length', () => {
    const invalid = fc.oneof(
      fc.integer({ min: -100000, max: 100000 }).filter((n) => n < 8 || n > 8192 || n % 8 !== 0),
      fc.double().filter((n) => !Number.isInteger(n)),
      fc.constantFrom(Number.NaN, Infinity, 8200, 0, 7, 9, 8191),
    );
    fc.assert(
      fc.property(invalid, (bits) => {
        let caught: unknown;
        try {
          servicePromiseless.generateRandom(bits);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(KmsError);
        expect((caught as KmsError).code).toBe('KMS.0308');
        expect((caught as KmsError).message).toContain('random_data_length');
      }),
      { numRuns: 200 },
    );
  });

  it("draws from the service's injected randomness, and two draws differ with the system's", async () => {
    const { service } = await setup((size) => Buffer.alloc(size, 0xab));
    expect(service.generateRandom(64).toString('hex')).toBe('ab'.repeat(8));
    expect(servicePromiseless.generateRandom(256).equals(servicePromiseless.generateRandom(256))).toBe(false);
  });
});

let servicePromiseless: KmsService;
beforeAll(async () => {
  servicePromiseless = (await setup()).service;
});
