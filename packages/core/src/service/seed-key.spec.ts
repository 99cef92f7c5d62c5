import { randomBytes } from 'node:crypto';
import { RootKey } from '../crypto/root-key';
import { KeyState, type Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import { KmsService, SeedConflictError, type SeedKeyInput } from './kms-service';

const SCOPE: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const MATERIAL = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const KEY: SeedKeyInput = { keyId: '0b7c1a2e-6a55-4d1c-9d1e-1f2a3b4c5d6e', keyAlias: 'fixture', keyDescription: 'd', material: MATERIAL };

const open = (store = new MemoryKeyStore(), rootKey = RootKey.generate()) => KmsService.open({ region: 'test-1', store, rootKey });

describe('KmsService.seedKey', () => {
  it('creates a key with the fixed ID whose data keys any service seeded with the same material opens, whatever its root key', async () => {
    const first = await open();
    expect(await first.seedKey(SCOPE, KEY)).toBe('created');
    const sealed = await first.createDataKey(SCOPE, { keyId: KEY.keyId, encryptionContext: { app: 'x' } });
    // Another store, another root key: only the seed is shared.
    const second = await open();
    await second.seedKey(SCOPE, KEY);
    const opened = await second.decryptDataKey(SCOPE, { ciphertext: sealed.ciphertext, encryptionContext: { app: 'x' } });
    expect(opened.plaintext.equals(sealed.plaintext)).toBe(true);
    expect(await second.describeKey(SCOPE, 'alias/fixture')).toMatchObject({
      keyId: KEY.keyId,
      keyState: KeyState.Enabled,
      keyDescription: 'd',
    });
  });

  it('is idempotent when applied again unchanged, with or without material', async () => {
    const service = await open();
    await service.seedKey(SCOPE, KEY);
    expect(await service.seedKey(SCOPE, KEY)).toBe('unchanged');
    const noMaterial = { ...KEY, keyId: '1b7c1a2e-6a55-4d1c-9d1e-1f2a3b4c5d6e', keyAlias: 'random-material', material: undefined };
    expect(await service.seedKey(SCOPE, noMaterial)).toBe('created');
    expect(await service.seedKey(SCOPE, noMaterial)).toBe('unchanged');
  });

  it.each([
    ['key_alias', { keyAlias: 'other' }],
    ['key_description', { keyDescription: 'other' }],
    ['key_material', { material: randomBytes(32) }],
  ])('refuses a key that exists with another %s, without showing material', async (field, change) => {
    const service = await open();
    await service.seedKey(SCOPE, KEY);
    const error = await service.seedKey(SCOPE, { ...KEY, ...change }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SeedConflictError);
    expect((error as Error).message).toContain(field);
    expect((error as Error).message).not.toContain(MATERIAL.toString('hex'));
  });

  it('refuses an alias another key holds', async () => {
    const service = await open();
    await service.seedKey(SCOPE, KEY);
    await expect(service.seedKey(SCOPE, { ...KEY, keyId: '2b7c1a2e-6a55-4d1c-9d1e-1f2a3b4c5d6e' })).rejects.toThrow(/alias fixture/);
  });

  it('creates a key pending import for origin external, and refuses the states the service cannot reach', async () => {
    const service = await open();
    const external = { keyId: '3b7c1a2e-6a55-4d1c-9d1e-1f2a3b4c5d6e', keyAlias: 'byok', origin: 'external' as const };
    await service.seedKey(SCOPE, external);
    expect((await service.describeKey(SCOPE, external.keyId)).keyState).toBe(KeyState.PendingImport);
    await expect(service.seedKey(SCOPE, { ...KEY, keyState: KeyState.Disabled })).rejects.toThrow(/must be enabled/);
    await expect(service.seedKey(SCOPE, { ...external, keyState: KeyState.Enabled })).rejects.toThrow(/pending import/);
    await expect(service.seedKey(SCOPE, { ...external, material: MATERIAL })).rejects.toThrow(/no key material/);
    await expect(service.seedKey(SCOPE, { ...KEY, material: Buffer.alloc(16) })).rejects.toThrow(/32 bytes/);
  });
});
