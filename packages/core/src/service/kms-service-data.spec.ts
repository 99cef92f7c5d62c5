import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { KmsError, type KmsErrorCode } from '../errors';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import { KmsService } from './kms-service';

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const B: Scope = { domainId: A.domainId, projectId: 'b2'.repeat(16) };

async function setup() {
  const store = new MemoryKeyStore();
  const rootKey = RootKey.generate();
  const service = await KmsService.open({ region: 'test-1', store, rootKey });
  return { service, store, rootKey };
}

async function expectKmsError(promise: Promise<unknown>, code: KmsErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  expect((error as KmsError).code).toBe(code);
}

describe('KmsService.encryptData and decryptData', () => {
  let service: KmsService;
  let keyId: string;
  let otherKeyId: string;

  beforeAll(async () => {
    ({ service } = await setup());
    keyId = (await service.createKey(A, { keyAlias: 'data/one' })).keyId;
    otherKeyId = (await service.createKey(A, { keyAlias: 'data/two' })).keyId;
  });

  it('round-trips any text of 1 to 4096 UTF-8 bytes under any context, by ID or alias, and refuses any other context (KMS.2203)', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1200 }).filter((t) => Buffer.byteLength(t, 'utf8') <= 4096);
    const pairs = fc.string({ unit: 'binary', maxLength: 6 });
    const context = fc.dictionary(pairs, pairs, { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(text, context, fc.constantFrom('id', 'alias'), async (plaintext, encryptionContext, by) => {
        const sealed = await service.encryptData(A, { keyId: by === 'id' ? keyId : 'alias/data/one', plaintext, encryptionContext });
        expect(sealed.keyId).toBe(keyId);
        const opened = await service.decryptData(A, { ciphertext: sealed.ciphertext, encryptionContext });
        expect(opened.plaintext.toString('utf8')).toBe(plaintext);
        await expectKmsError(
          service.decryptData(A, { ciphertext: sealed.ciphertext, encryptionContext: { ...encryptionContext, extra: 'x' } }),
          'KMS.2203',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('accepts exactly 4096 bytes and refuses 4097, the empty string and a lone surrogate with KMS.2101', async () => {
    await service.encryptData(A, { keyId, plaintext: 'é'.repeat(2048) });
    await expectKmsError(service.encryptData(A, { keyId, plaintext: 'é'.repeat(2048) + 'x' }), 'KMS.2101');
    await expectKmsError(service.encryptData(A, { keyId, plaintext: '' }), 'KMS.2101');
    await expectKmsError(service.encryptData(A, { keyId, plaintext: 'a\uD800b' }), 'KMS.2101');
  });

  it('takes SYMMETRIC_DEFAULT (the default) only; another algorithm is KMS.0308 on both sides', async () => {
    const sealed = await service.encryptData(A, { keyId, plaintext: 'x', encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    await service.decryptData(A, { ciphertext: sealed.ciphertext, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    await expectKmsError(service.encryptData(A, { keyId, plaintext: 'x', encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'KMS.0308');
    await expectKmsError(service.decryptData(A, { ciphertext: sealed.ciphertext, encryptionAlgorithm: 'SM2_ENCRYPT' }), 'KMS.0308');
  });

  it('refuses a key_id naming another key (KMS.2203), a damaged ciphertext (KMS.2201) and a data key blob (KMS.2201)', async () => {
    const sealed = await service.encryptData(A, { keyId, plaintext: 'secret' });
    await expectKmsError(service.decryptData(A, { ciphertext: sealed.ciphertext, keyId: otherKeyId }), 'KMS.2203');
    expect((await service.decryptData(A, { ciphertext: sealed.ciphertext, keyId: 'alias/data/one' })).plaintext.toString()).toBe('secret');
    const damaged = Buffer.from(sealed.ciphertext);
    damaged[10] = damaged[10]! ^ 1;
    await expectKmsError(service.decryptData(A, { ciphertext: damaged }), 'KMS.2201');
    const dataKey = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await expectKmsError(service.decryptData(A, { ciphertext: dataKey.ciphertext }), 'KMS.2201');
    await expectKmsError(service.decryptDataKey(A, { ciphertext: sealed.ciphertext }), 'KMS.2201');
  });

  it("makes another project's ciphertext and key look missing (KMS.0207)", async () => {
    const sealed = await service.encryptData(A, { keyId, plaintext: 'mine' });
    await expectKmsError(service.decryptData(B, { ciphertext: sealed.ciphertext }), 'KMS.0207');
    await expectKmsError(service.encryptData(B, { keyId, plaintext: 'x' }), 'KMS.0207');
    await expectKmsError(service.encryptData(A, { keyId: randomUUID(), plaintext: 'x' }), 'KMS.0207');
  });
});

describe('encryptData and decryptData follow the key state check create-datakey uses', () => {
  it.each([
    ['disabled', KeyState.Disabled, 'KMS.0209'],
    ['pending deletion', KeyState.PendingDeletion, 'KMS.0210'],
    ['pending import', KeyState.PendingImport, 'KMS.0310'],
  ] as const)('refuses a key that is %s (%s) with %s, both ways', async (_name, keyState, code) => {
    const { service, store, rootKey } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'state/live' });
    const sealed = await service.encryptData(A, { keyId, plaintext: 'before' });
    const record = (await store.findKeyById(A, keyId))!;
    // No operation changes a key's state yet: a second store holding the same key in that state.
    const stateStore = new MemoryKeyStore();
    const stateRecord: KeyRecord = {
      ...record,
      keyState,
      wrappedMaterial: keyState === KeyState.PendingImport ? null : record.wrappedMaterial,
    };
    await stateStore.insertKey(stateRecord, { maxKeysPerProject: 10 });
    const stateService = await KmsService.open({ region: 'test-1', store: stateStore, rootKey });
    await expectKmsError(stateService.encryptData(A, { keyId, plaintext: 'x' }), code);
    await expectKmsError(stateService.decryptData(A, { ciphertext: sealed.ciphertext }), code);
  });
});
