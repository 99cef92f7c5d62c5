import { RootKey } from '../crypto/root-key';
import type { Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import { KmsService } from './kms-service';

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const B: Scope = { domainId: A.domainId, projectId: 'b2'.repeat(16) };

describe('KmsService.userQuotas and userInstances', () => {
  it("count the caller's project's keys against the configured quota, and follow create-key up to KMS.1105", async () => {
    const service = await KmsService.open({ region: 'r', store: new MemoryKeyStore(), rootKey: RootKey.generate(), maxKeysPerProject: 3 });
    expect(await service.userQuotas(A)).toEqual([
      { type: 'CMK', used: 0, quota: 3 },
      { type: 'grant_per_CMK', used: 0, quota: 100 },
    ]);
    expect(await service.userInstances(A)).toBe(0);
    await service.createKey(A, { keyAlias: 'one' });
    await service.createKey(A, { keyAlias: 'two', origin: 'external' });
    await service.createKey(B, { keyAlias: 'other' });
    expect((await service.userQuotas(A))[0]).toEqual({ type: 'CMK', used: 2, quota: 3 });
    expect(await service.userInstances(A)).toBe(2);
    expect(await service.userInstances(B)).toBe(1);
    await service.createKey(A, { keyAlias: 'three' });
    await expect(service.createKey(A, { keyAlias: 'four' })).rejects.toMatchObject({ code: 'KMS.1105' });
    expect((await service.userQuotas(A))[0]).toEqual({ type: 'CMK', used: 3, quota: 3 });
  });

  it('reports the default quota of 1000 when none is configured', async () => {
    const service = await KmsService.open({ region: 'r', store: new MemoryKeyStore(), rootKey: RootKey.generate() });
    expect((await service.userQuotas(A))[0]).toEqual({ type: 'CMK', used: 0, quota: 1000 });
  });
});
