/**
 * One real `openkms-server` process over a SQLite data directory kept across restarts, with one
 * tenant: for the suites that move time by editing the key store file between starts (the purge,
 * automatic rotation). Registers its own beforeAll/afterAll.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTenant, startServerProcess, writeTokenFile } from '../src/testing';
import { postKms } from './support';

export function sqliteServerFixture(prefix: string) {
  const rootKeyHex = randomBytes(32).toString('hex');
  const tenant = newTenant();
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), prefix));
    writeTokenFile(join(work, 'tokens.json'), [tenant]);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const post = (url: string, operation: string, body: unknown) => postKms(url, tenant, operation, body);
  return {
    tenant,
    /** Starts the server over the fixture's data directory, with `extra` flags. */
    start: (...extra: string[]) =>
      startServerProcess(['--data-dir', join(work, 'data'), '--token-file', join(work, 'tokens.json'), ...extra], {
        cwd: work,
        env: { OPENKMS_ROOT_KEY: rootKeyHex },
      }),
    post,
    /** Creates a key and answers its ID. */
    createKey: async (url: string, keyAlias: string) =>
      ((await post(url, 'create-key', { key_alias: keyAlias })).json.key_info as { key_id: string }).key_id,
    /** Runs `use` on the key store file, opened directly (while no server writes it, or read-only). */
    withKeyStore: <T>(use: (db: Database.Database) => T, options: { readonly readonly?: boolean } = {}): T => {
      const db = new Database(join(work, 'data', 'keys.sqlite'), { readonly: options.readonly ?? false });
      try {
        return use(db);
      } finally {
        db.close();
      }
    },
  };
}
