import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootKey } from '../crypto/root-key';
import { KmsService } from '../service/kms-service';
import { backupSqliteStore } from './sqlite-backup';
import { SqliteKeyStore } from './sqlite-key-store';

const scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };

describe('backupSqliteStore', () => {
  let dir: string;
  const closers: Array<() => Promise<void>> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'openkms-backup-'));
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openService(path: string, rootKey: RootKey): Promise<KmsService> {
    const store = new SqliteKeyStore(path);
    closers.push(() => store.close());
    return KmsService.open({ store, rootKey, region: 'local-1', maxKeysPerProject: 100_000 });
  }

  it('restores to a store whose keys decrypt the data keys made before the backup', async () => {
    const rootKey = RootKey.generate();
    const live = await openService(join(dir, 'keys.sqlite'), rootKey);
    const made = [];
    for (let n = 0; n < 20; n++) {
      const { keyId } = await live.createKey(scope, { keyAlias: `backup/${n}` });
      made.push({ keyId, dataKey: await live.createDataKey(scope, { keyId, datakeyBits: 512, encryptionContext: { n: String(n) } }) });
    }

    const result = await backupSqliteStore(join(dir, 'keys.sqlite'), join(dir, 'copy.sqlite'));
    expect(result.keys).toBe(20);
    expect(statSync(join(dir, 'copy.sqlite')).mode & 0o777).toBe(0o600);

    const restored = await openService(join(dir, 'copy.sqlite'), rootKey);
    for (const [n, { keyId, dataKey }] of made.entries()) {
      const opened = await restored.decryptDataKey(scope, { ciphertext: dataKey.ciphertext, encryptionContext: { n: String(n) } });
      expect(opened.keyId).toBe(keyId);
      expect(opened.plaintext.equals(dataKey.plaintext)).toBe(true);
    }
    // The copy is a working store: it takes new keys, and the aliases it holds stay taken.
    await expect(restored.createKey(scope, { keyAlias: 'backup/0' })).rejects.toMatchObject({ code: 'KMS.1104' });
    await expect(restored.createKey(scope, { keyAlias: 'after/restore' })).resolves.toBeDefined();
  });

  it('is online: keys keep being created during the backup, and the copy is a consistent snapshot', async () => {
    const rootKey = RootKey.generate();
    const live = await openService(join(dir, 'keys.sqlite'), rootKey);
    for (let n = 0; n < 200; n++) await live.createKey(scope, { keyAlias: `before/${n}` });

    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await live.createKey(scope, { keyAlias: `during/${written}` });
        written += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const result = await backupSqliteStore(join(dir, 'keys.sqlite'), join(dir, 'copy.sqlite'));
    writing = false;
    await writer;

    // Every key that existed before is in the copy; keys made during it may or may not be.
    expect(result.keys).toBeGreaterThanOrEqual(200);
    expect(result.keys).toBeLessThanOrEqual(200 + written);
    const restored = await openService(join(dir, 'copy.sqlite'), rootKey);
    for (let n = 0; n < 200; n++) {
      await expect(restored.createDataKey(scope, { keyId: `alias/before/${n}`, datakeyBits: 256 })).resolves.toBeDefined();
    }
    // The writer kept succeeding, so the backup did not lock the server out.
    expect(written).toBeGreaterThan(0);
  });

  it('never overwrites a file, and leaves nothing behind when it fails', async () => {
    const live = await openService(join(dir, 'keys.sqlite'), RootKey.generate());
    await live.createKey(scope, { keyAlias: 'k' });
    writeFileSync(join(dir, 'taken.sqlite'), 'precious');
    await expect(backupSqliteStore(join(dir, 'keys.sqlite'), join(dir, 'taken.sqlite'))).rejects.toThrow(/never overwrites/);
    await expect(backupSqliteStore(join(dir, 'missing.sqlite'), join(dir, 'copy.sqlite'))).rejects.toThrow(/no key store/);
    await expect(backupSqliteStore(join(dir, 'keys.sqlite'), join(dir, 'no-such-dir', 'copy.sqlite'))).rejects.toThrow();
    expect(readdirSync(dir).filter((name) => name.includes('partial') || name === 'copy.sqlite')).toEqual([]);
  });
});
