import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { decodeDatakeyBlob } from '../ciphertext/datakey-blob';
import type { EncryptionContext } from '../ciphertext/encryption-context';
import { KmsError, type KmsErrorCode } from '../errors';
import type { Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import { KmsService } from './kms-service';

/** The current API revision's request fields in the service: key_spec, key_usage, keystore_id, AAD, list-keys filters. */

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };

async function kmsError(promise: Promise<unknown>, code: KmsErrorCode): Promise<KmsError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(KmsError);
  expect((outcome as KmsError).code).toBe(code);
  return outcome as KmsError;
}

function sameMap(a: EncryptionContext, b: EncryptionContext): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}

let service: KmsService;
let keyId: string;

beforeEach(async () => {
  service = await KmsService.open({ region: 'test-1', store: new MemoryKeyStore(), rootKey: RootKey.generate() });
  keyId = (await service.createKey(A, { keyAlias: 'aad' })).keyId;
});

describe('create-key key_spec, key_usage, keystore_id', () => {
  it('makes a key with AES_256 and ENCRYPT_DECRYPT given explicitly', async () => {
    const key = await service.createKey(A, { keyAlias: 'explicit', keySpec: 'AES_256', keyUsage: 'ENCRYPT_DECRYPT' });
    expect((await service.describeKey(A, key.keyId)).keyAlias).toBe('explicit');
  });

  it.each([
    [{ keySpec: 'SM4' }, /^Unsupported key_spec: /],
    [{ keySpec: 'RSA_2048' }, /^Unsupported key_spec: /],
    [{ keyUsage: 'SIGN_VERIFY' }, /^Unsupported key_usage: /],
    [{ keystoreId: '0' }, /^Unsupported keystore_id: /],
  ])('refuses %p with KMS.0308 naming the field, and creates nothing', async (fields, message) => {
    const error = await kmsError(service.createKey(A, { keyAlias: 'refused', ...fields }), 'KMS.0308');
    expect(error.message).toMatch(message);
    expect((await service.listKeys(A)).keys.map((key) => key.keyAlias)).toEqual(['aad']);
  });
});

describe('create-datakey key_spec', () => {
  it.each([
    [{ keySpec: 'AES_256' }, 32],
    [{ keySpec: 'AES_128' }, 16],
    [{}, 32],
    [{ keySpec: 'AES_128', datakeyBits: 512 }, 64],
    [{ keySpec: 'SM4', datakeyBits: 64 }, 8],
  ])('%p makes a data key of %p bytes that opens again', async (fields, bytes) => {
    const dataKey = await service.createDataKey(A, { keyId, ...fields });
    expect(dataKey.plaintext).toHaveLength(bytes);
    expect((await service.decryptDataKey(A, { ciphertext: dataKey.ciphertext })).plaintext).toEqual(dataKey.plaintext);
  });

  it('refuses another key_spec without datakey_length with KMS.0308', async () => {
    await kmsError(service.createDataKey(A, { keyId, keySpec: 'HMAC_256' }), 'KMS.0308');
  });
});

describe('additional_authenticated_data', () => {
  const text = fc.string({ unit: 'binary', maxLength: 8 });
  const context = fc.dictionary(text, text, { maxKeys: 3 });
  /** Absent, empty or any string of at most 128 UTF-8 bytes. */
  const aad = fc.option(fc.string({ unit: 'binary', maxLength: 32 }), { nil: undefined });

  it('round-trips any context and AAD, through create- and encrypt-datakey', async () => {
    await fc.assert(
      fc.asyncProperty(context, aad, async (encryptionContext, additionalAuthenticatedData) => {
        const made = await service.createDataKey(A, { keyId, datakeyBits: 128, encryptionContext, additionalAuthenticatedData });
        const opened = await service.decryptDataKey(A, {
          keyId,
          ciphertext: made.ciphertext,
          encryptionContext,
          additionalAuthenticatedData,
        });
        expect(opened.plaintext).toEqual(made.plaintext);
        const digest = createHash('sha256').update(made.plaintext).digest();
        const sealed = await service.encryptDataKey(A, {
          keyId,
          plaintextWithDigest: Buffer.concat([made.plaintext, digest]),
          datakeyBytes: 16,
          encryptionContext,
          additionalAuthenticatedData,
        });
        const reopened = await service.decryptDataKey(A, { ciphertext: sealed.ciphertext, encryptionContext, additionalAuthenticatedData });
        expect(reopened.plaintext).toEqual(made.plaintext);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses with KMS.2203 any change to the context, the AAD or both', async () => {
    await fc.assert(
      fc.asyncProperty(context, aad, context, aad, async (sealedContext, sealedAad, openedContext, openedAad) => {
        // Absent and empty bind the same nothing, for the AAD as for the context.
        fc.pre(!sameMap(sealedContext, openedContext) || (sealedAad ?? '') !== (openedAad ?? ''));
        const made = await service.createDataKey(A, {
          keyId,
          datakeyBits: 128,
          encryptionContext: sealedContext,
          additionalAuthenticatedData: sealedAad,
        });
        await kmsError(
          service.decryptDataKey(A, {
            ciphertext: made.ciphertext,
            encryptionContext: openedContext,
            additionalAuthenticatedData: openedAad,
          }),
          'KMS.2203',
        );
      }),
      { numRuns: 150 },
    );
  });

  it('does not confuse the AAD with the context: moving bytes between them is refused', async () => {
    const made = await service.createDataKey(A, {
      keyId,
      datakeyBits: 128,
      encryptionContext: { a: 'b' },
      additionalAuthenticatedData: 'c',
    });
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext, encryptionContext: { a: 'bc' } }), 'KMS.2203');
    await kmsError(
      service.decryptDataKey(A, { ciphertext: made.ciphertext, encryptionContext: { a: '' }, additionalAuthenticatedData: 'bc' }),
      'KMS.2203',
    );
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext, additionalAuthenticatedData: 'c' }), 'KMS.2203');
  });

  it('treats an absent and an empty AAD alike, byte for byte the blob format of before the field', async () => {
    const made = await service.createDataKey(A, { keyId, datakeyBits: 128, additionalAuthenticatedData: '' });
    expect((await service.decryptDataKey(A, { ciphertext: made.ciphertext })).plaintext).toEqual(made.plaintext);
    const blob = decodeDatakeyBlob(made.ciphertext)!;
    expect(blob.payload).toHaveLength(12 + 16 + 16);
  });

  it('refuses an AAD over 128 UTF-8 bytes with KMS.0308 on all three operations', async () => {
    const long = '\u00E4'.repeat(65);
    await kmsError(service.createDataKey(A, { keyId, additionalAuthenticatedData: long }), 'KMS.0308');
    const made = await service.createDataKey(A, { keyId });
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext, additionalAuthenticatedData: long }), 'KMS.0308');
    const digest = createHash('sha256').update(made.plaintext).digest();
    await kmsError(
      service.encryptDataKey(A, {
        keyId,
        plaintextWithDigest: Buffer.concat([made.plaintext, digest]),
        datakeyBytes: 32,
        additionalAuthenticatedData: long,
      }),
      'KMS.0308',
    );
  });
});

describe('list-keys key_spec and enterprise_project_id filters', () => {
  const OTHER = 'b168fe00-ff56-4924-95a7-d22974df2d0b';

  beforeEach(async () => {
    await service.createKey(A, { keyAlias: 'in-other', enterpriseProjectId: OTHER });
  });

  it('lists every key for no key_spec, AES_256 and ALL; none for any other spec', async () => {
    for (const keySpec of [undefined, 'AES_256', 'ALL'] as const) {
      const page = await service.listKeys(A, { keySpec });
      expect(page.keys.map((key) => key.keyAlias).sort()).toEqual(['aad', 'in-other']);
      expect(page.total).toBe(2);
    }
    for (const keySpec of ['SM4', 'RSA_2048', 'HMAC_256'] as const) {
      expect(await service.listKeys(A, { keySpec })).toEqual({ keys: [], truncated: false, next: undefined, total: 0 });
    }
  });

  it('lists only the keys of the enterprise project asked for ("0" is the default one)', async () => {
    const inDefault = await service.listKeys(A, { enterpriseProjectId: '0' });
    expect(inDefault.keys.map((key) => key.keyAlias)).toEqual(['aad']);
    const inOther = await service.listKeys(A, { enterpriseProjectId: OTHER, keySpec: 'AES_256' });
    expect(inOther.keys.map((key) => key.keyAlias)).toEqual(['in-other']);
    expect(inOther.total).toBe(1);
  });
});
