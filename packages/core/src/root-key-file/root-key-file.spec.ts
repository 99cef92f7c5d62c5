import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootKey, type KeyMaterialOwner } from '../crypto/root-key';
import { loadOrCreateRootKeyFile } from './root-key-file';

const OWNER: KeyMaterialOwner = {
  domainId: 'be34df18ddd7d205c328aa86e086beff',
  projectId: 'b32bfed7f3bfca454eb23da2148ace28',
  keyId: '71da51ed-46f1-4e1e-99fc-6e5ff47ba02b',
};

describe('loadOrCreateRootKeyFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'openkms-rootkey-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a 0600 file holding 64 hex characters, then loads the same key', () => {
    const path = join(dir, 'root.key');
    const first = loadOrCreateRootKeyFile(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);

    const second = loadOrCreateRootKeyFile(path);
    expect(second.created).toBe(false);
    expect(second.rootKey.checkValue()).toBe(first.rootKey.checkValue());
    // Loading does not rewrite the file.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // The loaded key really is the same key: it opens what the first wrapped.
    const material = randomBytes(32);
    expect(second.rootKey.unwrap(first.rootKey.wrap(material, OWNER), OWNER)).toEqual(material);
  });

  it('creates a different key in a different file', () => {
    const a = loadOrCreateRootKeyFile(join(dir, 'a.key'));
    const b = loadOrCreateRootKeyFile(join(dir, 'b.key'));
    expect(a.rootKey.checkValue()).not.toBe(b.rootKey.checkValue());
  });

  it('loads an existing base64 key file', () => {
    const raw = randomBytes(32);
    const path = join(dir, 'root.key');
    writeFileSync(path, `${raw.toString('base64')}\n`, { mode: 0o600 });
    const loaded = loadOrCreateRootKeyFile(path);
    expect(loaded.created).toBe(false);
    expect(loaded.rootKey.checkValue()).toBe(RootKey.fromBytes(raw).checkValue());
  });

  it('refuses a key file that other users may read, and says how to fix it', () => {
    const path = join(dir, 'root.key');
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o644 });
    chmodSync(path, 0o644);
    expect(() => loadOrCreateRootKeyFile(path)).toThrow(/chmod 600/);
  });

  it('leaves no temporary file behind after creating the key file', () => {
    loadOrCreateRootKeyFile(join(dir, 'root.key'));
    expect(readdirSync(dir)).toEqual(['root.key']);
  });

  it('refuses an existing file that holds no valid key, without replacing it', () => {
    const path = join(dir, 'root.key');
    writeFileSync(path, 'garbage\n', { mode: 0o600 });
    expect(() => loadOrCreateRootKeyFile(path)).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('garbage\n');
  });

  it('fails when the directory does not exist, instead of creating it', () => {
    expect(() => loadOrCreateRootKeyFile(join(dir, 'missing', 'root.key'))).toThrow(/ENOENT/);
  });
});
