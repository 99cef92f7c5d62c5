import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { KmsError, type KmsErrorCode } from '../errors';
import { KEY_ALIAS_PATTERN } from '../keys/key-alias';
import type { Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import { KmsService } from './kms-service';

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const B: Scope = { domainId: A.domainId, projectId: 'b2'.repeat(16) };

async function open(): Promise<KmsService> {
  return KmsService.open({ region: 'test-1', store: new MemoryKeyStore(), rootKey: RootKey.generate() });
}

async function expectKmsError(promise: Promise<unknown>, code: KmsErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  expect((error as KmsError).code).toBe(code);
}

describe('KmsService.updateKeyAlias', () => {
  it('renames the key: the new alias resolves to it, its data keys still open, the old alias is gone and free', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'old', keyDescription: 'kept' });
    const made = await service.createDataKey(A, { keyId: 'alias/old', datakeyBits: 256 });
    await expect(service.updateKeyAlias(A, keyId, 'new/name')).resolves.toEqual({ keyId, keyAlias: 'new/name' });
    const described = await service.describeKey(A, 'alias/new/name');
    expect(described).toMatchObject({ keyId, keyAlias: 'new/name', keyDescription: 'kept' });
    await expectKmsError(service.describeKey(A, 'alias/old'), 'KMS.0207');
    expect((await service.decryptDataKey(A, { ciphertext: made.ciphertext })).plaintext).toEqual(made.plaintext);
    await service.createKey(A, { keyAlias: 'old' });
  });

  it("refuses another key's alias with KMS.1104 and changes nothing; its own alias is accepted", async () => {
    const service = await open();
    const first = await service.createKey(A, { keyAlias: 'first' });
    const second = await service.createKey(A, { keyAlias: 'second' });
    await expectKmsError(service.updateKeyAlias(A, second.keyId, 'first'), 'KMS.1104');
    expect((await service.describeKey(A, second.keyId)).keyAlias).toBe('second');
    await expect(service.updateKeyAlias(A, first.keyId, 'first')).resolves.toEqual({ keyId: first.keyId, keyAlias: 'first' });
  });

  it('applies create-key alias rule (KMS.1101) to any string, before looking the key up', async () => {
    const service = await open();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (alias) => {
        fc.pre(!KEY_ALIAS_PATTERN.test(alias));
        await expectKmsError(service.updateKeyAlias(A, randomUUID(), alias), 'KMS.1101');
      }),
      { numRuns: 200 },
    );
    for (const alias of ['', 'a'.repeat(256), 'evs/default', 'has space', 'dot.ted']) {
      await expectKmsError(service.updateKeyAlias(A, randomUUID(), alias), 'KMS.1101');
    }
  });

  it("answers KMS.0207 for a missing key and another project's key, KMS.0205 for no key reference", async () => {
    const service = await open();
    const { keyId } = await service.createKey(B, { keyAlias: 'theirs' });
    await expectKmsError(service.updateKeyAlias(A, keyId, 'mine'), 'KMS.0207');
    await expectKmsError(service.updateKeyAlias(A, randomUUID(), 'mine'), 'KMS.0207');
    await expectKmsError(service.updateKeyAlias(A, 'nope', 'mine'), 'KMS.0205');
    expect((await service.describeKey(B, keyId)).keyAlias).toBe('theirs');
  });
});

describe('KmsService.updateKeyDescription', () => {
  it('replaces the description, 0 to 255 code points (astral characters count once)', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'd', keyDescription: 'before' });
    for (const description of ['', 'after', '🔑'.repeat(255), 'x'.repeat(255)]) {
      await expect(service.updateKeyDescription(A, keyId, description)).resolves.toEqual({ keyId, keyDescription: description });
      expect((await service.describeKey(A, keyId)).keyDescription).toBe(description);
    }
  });

  it('refuses more than 255 code points with KMS.1103 and keeps the old description', async () => {
    const service = await open();
    const { keyId } = await service.createKey(A, { keyAlias: 'd', keyDescription: 'kept' });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 256, maxLength: 400 }), async (description) => {
        fc.pre([...description].length > 255);
        await expectKmsError(service.updateKeyDescription(A, keyId, description), 'KMS.1103');
      }),
      { numRuns: 50 },
    );
    expect((await service.describeKey(A, keyId)).keyDescription).toBe('kept');
  });

  it("answers KMS.0207 for a missing key and another project's key", async () => {
    const service = await open();
    const { keyId } = await service.createKey(B, { keyAlias: 'theirs', keyDescription: 'theirs' });
    await expectKmsError(service.updateKeyDescription(A, keyId, 'mine'), 'KMS.0207');
    await expectKmsError(service.updateKeyDescription(A, randomUUID(), 'mine'), 'KMS.0207');
    expect((await service.describeKey(B, keyId)).keyDescription).toBe('theirs');
  });
});
