/**
 * The credential pieces inside the server: a root key reload reaches the access keys, the domain
 * a new credential joins, and the token file writer.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootKey, rewrapAllKeys, SqliteKeyStore } from '@openkms/core';
import { readTokenFileEntries, tokenEntry, writeTokenFileEntries } from '../src/auth/token-file-writer';
import { chooseDomain } from '../src/commands/credential-domain';
import { newTenant, startTestServer } from '../src/testing';

jest.setTimeout(60_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-access-keys-runtime-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('a root key reload (SIGHUP) reaches the access keys: after a rotation the SK opens under the new root key alone', async () => {
  const dataDir = join(work, 'rotation');
  const oldHex = randomBytes(32).toString('hex');
  const newHex = randomBytes(32).toString('hex');
  const tenant = newTenant();
  let clock = 0;
  // No root key given directly: the server reads the root key files, as it does on SIGHUP.
  mkdirSync(dataDir, { mode: 0o700 });
  writeFileSync(join(dataDir, 'root.key'), `${oldHex}\n`, { mode: 0o600 });
  const server = await startTestServer({
    dataDir,
    store: 'sqlite',
    tenants: [tenant],
    accessKeyCache: { cacheMs: 2000, now: () => clock },
    config: { rootKey: undefined },
  });
  try {
    renameSync(join(dataDir, 'root.key'), join(dataDir, 'root.key.previous'));
    writeFileSync(join(dataDir, 'root.key'), `${newHex}\n`, { mode: 0o600 });
    expect(await server.server.reloadRootKeys()).toBe(true);

    const store = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
    try {
      const report = await rewrapAllKeys({ store, rootKey: RootKey.fromEncoded(newHex), previousRootKeys: [RootKey.fromEncoded(oldHex)] });
      expect(report).toMatchObject({ finished: true, accessKeysRewrapped: 1 });
    } finally {
      await store.close();
    }
    rmSync(join(dataDir, 'root.key.previous'));
    expect(await server.server.reloadRootKeys()).toBe(true);
    clock += 2000;
    expect((await server.server.accessKeys.find(tenant.accessKeyId))?.secretKey).toBe(tenant.secretKey);
  } finally {
    await server.stop();
  }
});

describe('the domain of a new credential', () => {
  const d1 = '11111111111111111111111111111111';
  const d2 = '22222222222222222222222222222222';

  it('is the domain of the credentials granting those projects, else the only one, else new', () => {
    expect(
      chooseDomain(
        ['p'],
        [
          { domainId: d1, projects: ['p'] },
          { domainId: d2, projects: ['q'] },
        ],
      ).domainId,
    ).toBe(d1);
    expect(chooseDomain(['new'], [{ domainId: d1, projects: ['p'] }]).domainId).toBe(d1);
    const fresh = chooseDomain(['p'], []);
    expect(fresh.domainId).toMatch(/^[0-9a-f]{32}$/);
    expect(chooseDomain(['p'], []).domainId).not.toBe(fresh.domainId);
  });

  it('is refused as ambiguous rather than guessed', () => {
    expect(() =>
      chooseDomain(
        ['p', 'q'],
        [
          { domainId: d1, projects: ['p'] },
          { domainId: d2, projects: ['q'] },
        ],
      ),
    ).toThrow(/--domain-id/);
    expect(() =>
      chooseDomain(
        ['new'],
        [
          { domainId: d1, projects: ['p'] },
          { domainId: d2, projects: ['q'] },
        ],
      ),
    ).toThrow(/--domain-id/);
  });
});

describe('the token file writer', () => {
  it('replaces the file whole, mode 0600, leaving no temporary file, and reads back what it wrote', () => {
    const dir = mkdtempSync(join(work, 'tokens-'));
    const path = join(dir, 'tokens.json');
    writeFileSync(path, '{"tokens":[]}', { mode: 0o644 });
    const entry = tokenEntry('okms_secret-token', { name: 'ci', domainId: 'd'.repeat(32), projects: ['p'] });
    writeTokenFileEntries(path, [entry]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['tokens.json']);
    expect(readTokenFileEntries(path)).toEqual([entry]);
    expect(readFileSync(path, 'utf8')).not.toContain('okms_secret-token');
    expect(entry.token_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a missing file as empty, and refuses a malformed one with a message naming the file', () => {
    const dir = mkdtempSync(join(work, 'tokens-'));
    expect(readTokenFileEntries(join(dir, 'absent.json'))).toEqual([]);
    for (const [text, reason] of [
      ['not json', /is not JSON/],
      ['{"tokens": {}}', /expected \{"tokens"/],
      ['{"tokens": [{"name": "a", "token_sha256": "x", "domain_id": "d", "projects": [1]}]}', /entry 0 needs/],
      ['null', /expected \{"tokens"/],
    ] as const) {
      const path = join(dir, 'bad.json');
      writeFileSync(path, text);
      expect(() => readTokenFileEntries(path)).toThrow(reason);
    }
  });
});
