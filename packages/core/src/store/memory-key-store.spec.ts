import { describeAccessKeyStoreContract } from '../credentials/access-key-store-contract';
import { describeKeyStoreContract } from './contract';
import { MemoryKeyStore } from './memory-key-store';

describeKeyStoreContract('MemoryKeyStore', async () => {
  const store = new MemoryKeyStore();
  return { store, cleanup: () => store.close() };
});

describeAccessKeyStoreContract('MemoryKeyStore', async () => {
  const store = new MemoryKeyStore();
  return { store, cleanup: () => store.close() };
});

describe('MemoryKeyStore', () => {
  it('starts empty in each instance (nothing shared between stores)', async () => {
    const a = new MemoryKeyStore();
    const b = new MemoryKeyStore();
    await a.setMetaIfAbsent('name', 'a');
    expect(await b.getMeta('name')).toBeUndefined();
  });
});
