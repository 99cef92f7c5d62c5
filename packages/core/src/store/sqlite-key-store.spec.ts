import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { KeyState, type KeyRecord } from '../keys/key-record';
import { describeAccessKeyStoreContract } from '../credentials/access-key-store-contract';
import { describeKeyStoreContract } from './contract';
import { SQLITE_MIGRATIONS, SqliteKeyStore } from './sqlite-key-store';

describeKeyStoreContract('SqliteKeyStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openkms-sqlite-'));
  const store = new SqliteKeyStore(join(dir, 'keys.sqlite'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeKeyStoreContract('SqliteKeyStore (:memory:)', async () => {
  const store = new SqliteKeyStore(':memory:');
  return { store, cleanup: () => store.close() };
});

describeAccessKeyStoreContract('SqliteKeyStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openkms-sqlite-'));
  const store = new SqliteKeyStore(join(dir, 'keys.sqlite'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteKeyStore on disk', () => {
  let dir: string;
  let path: string;
  const opened: SqliteKeyStore[] = [];
  const openStore = (): SqliteKeyStore => {
    const store = new SqliteKeyStore(path);
    opened.push(store);
    return store;
  };
  /** A second, independent connection to inspect the file. */
  const inspectFile = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(path, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'openkms-sqlite-'));
    path = join(dir, 'keys.sqlite');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const key: KeyRecord = {
    keyId: randomUUID(),
    domainId: 'be34df18ddd7d205c328aa86e086beff',
    projectId: 'b32bfed7f3bfca454eb23da2148ace28',
    keyAlias: 'app/orders',
    keyDescription: 'Orders',
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 1_700_000_000_123,
    wrappedMaterial: randomBytes(60),
  };

  it('keeps keys and meta across close and reopen of the same file', async () => {
    const first = openStore();
    await first.insertKey(key, { maxKeysPerProject: 10 });
    await first.setMetaIfAbsent('root_key_check_value', 'abc');
    await first.close();

    const second = openStore();
    expect(await second.findKeyById(key, key.keyId)).toEqual(key);
    expect(await second.findKeyByAlias(key, key.keyAlias)).toEqual(key);
    expect(await second.countKeys(key)).toBe(1);
    expect(await second.getMeta('root_key_check_value')).toBe('abc');
    // The rules still hold against what was stored before.
    await expect(second.insertKey({ ...key, keyId: randomUUID() }, { maxKeysPerProject: 10 })).resolves.toEqual({
      ok: false,
      reason: 'duplicate-alias',
    });
  });

  it('sees a committed insert from another connection at once', async () => {
    const writer = openStore();
    const reader = openStore();
    await writer.insertKey(key, { maxKeysPerProject: 10 });
    expect(await reader.findKeyById(key, key.keyId)).toEqual(key);
    // Both connections enforce the alias rule against the same data.
    await expect(reader.insertKey({ ...key, keyId: randomUUID() }, { maxKeysPerProject: 10 })).resolves.toEqual({
      ok: false,
      reason: 'duplicate-alias',
    });
  });

  it('creates the database file, and its WAL and shared-memory files, with mode 0600', async () => {
    const store = openStore();
    await store.insertKey(key, { maxKeysPerProject: 10 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // SQLite gives its WAL and shared-memory files the database file's mode; they exist while it is open.
    for (const suffix of ['-wal', '-shm']) {
      expect(existsSync(path + suffix)).toBe(true);
      expect(statSync(path + suffix).mode & 0o777).toBe(0o600);
    }
  });

  it('tightens an existing database file to mode 0600', () => {
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    openStore();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('records the schema version and uses WAL', async () => {
    await openStore().close();
    expect(inspectFile((db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_MIGRATIONS.length);
    expect(inspectFile((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  // synchronous=FULL is a per-connection setting and the store does not expose its
  // connection, so it cannot be observed from outside; it is not tested here.

  it('migrates an existing empty database file', async () => {
    const db = new Database(path);
    db.close();
    const store = openStore();
    await expect(store.insertKey(key, { maxKeysPerProject: 10 })).resolves.toEqual({ ok: true });
    expect(inspectFile((file) => file.pragma('user_version', { simple: true }))).toBe(SQLITE_MIGRATIONS.length);
  });

  it('upgrades a version 1 file (keys only) with the access key table, keeping its keys', async () => {
    const db = new Database(path);
    db.exec(SQLITE_MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare(
      `INSERT INTO keys (key_id, domain_id, project_id, key_alias, key_description, origin, key_state, enterprise_project_id, creation_date)
       VALUES ('k1', 'd', 'p', 'old', '', 'kms', '2', '0', 1)`,
    ).run();
    db.close();
    const store = openStore();
    expect((await store.findKeyByAlias({ domainId: 'd', projectId: 'p' }, 'old'))?.keyId).toBe('k1');
    expect(await store.listAccessKeys()).toEqual([]);
    expect(inspectFile((file) => file.pragma('user_version', { simple: true }))).toBe(SQLITE_MIGRATIONS.length);
  });

  it('applies the migrations once when another process migrates the same new file at the same moment', async () => {
    // Another connection (a worker thread, as another cluster worker would be) takes the write
    // lock first and migrates while this store is opening; the store must wait for it and then
    // find nothing left to do, instead of creating the tables a second time.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require('better-sqlite3');
       const db = new Database(workerData.path);
       db.pragma('journal_mode = WAL');
       db.exec('BEGIN IMMEDIATE');
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       workerData.migrations.forEach((sql, i) => { db.exec(sql); db.pragma('user_version = ' + (i + 1)); });
       db.exec('COMMIT');
       db.close();`,
      { eval: true, workerData: { path, migrations: SQLITE_MIGRATIONS } },
    );
    const exited = new Promise<number>((resolveExit) => worker.once('exit', resolveExit));
    await new Promise((resolveLocked) => worker.once('message', resolveLocked));
    const store = openStore();
    expect(await exited).toBe(0);
    await expect(store.insertKey(key, { maxKeysPerProject: 10 })).resolves.toEqual({ ok: true });
    expect(inspectFile((db) => db.pragma('user_version', { simple: true }))).toBe(SQLITE_MIGRATIONS.length);
  });

  it('refuses a database whose schema is newer than it knows', () => {
    openStore();
    const db = new Database(path);
    db.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new SqliteKeyStore(path)).toThrow(/newer than this server/);
  });

  it('enforces the alias rule in the schema too, not only in insertKey', () => {
    openStore();
    const db = new Database(path);
    try {
      const insert = db.prepare(
        `INSERT INTO keys (key_id, domain_id, project_id, key_alias, key_description, origin, key_state, enterprise_project_id, creation_date)
         VALUES (?, 'd', 'p', 'same', '', 'kms', '2', '0', 0)`,
      );
      insert.run(randomUUID());
      expect(() => insert.run(randomUUID())).toThrow(/UNIQUE/);
    } finally {
      db.close();
    }
  });
});
