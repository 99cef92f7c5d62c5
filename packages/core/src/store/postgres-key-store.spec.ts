import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { describeAccessKeyStoreContract } from '../credentials/access-key-store-contract';
import { describeKeyStoreContract } from './contract';
import { PostgresKeyStore } from './postgres-key-store';
import { advisoryLockKey } from './postgres-locks';
import { migrate, MIGRATIONS } from './postgres-migrations';
import { storeUnavailableReason } from './store-unavailable';
import { createTestSchema, testPostgresUrl, urlWithSearchPath, withTestDatabase, type TestSchema } from '../testing/postgres';

// Guards against a hang only (a lock never released, an unreachable database); no test relies on time.
jest.setTimeout(30_000);

describeKeyStoreContract('PostgresKeyStore', async () => {
  const schema = await createTestSchema();
  try {
    const store = await PostgresKeyStore.open({ connectionString: schema.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  } catch (error) {
    await schema.drop();
    throw error;
  }
});

describeAccessKeyStoreContract('PostgresKeyStore', async () => {
  const schema = await createTestSchema();
  try {
    const store = await PostgresKeyStore.open({ connectionString: schema.url });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  } catch (error) {
    await schema.drop();
    throw error;
  }
});

const SCOPE: Scope = { domainId: 'be34df18ddd7d205c328aa86e086beff', projectId: 'b32bfed7f3bfca454eb23da2148ace28' };

function record(keyAlias: string, scope: Scope = SCOPE): KeyRecord {
  return {
    keyId: randomUUID(),
    ...scope,
    keyAlias,
    keyDescription: '',
    origin: 'kms',
    keyState: KeyState.Enabled,
    enterpriseProjectId: '0',
    creationDate: 1_700_000_000_123,
    wrappedMaterial: randomBytes(60),
  };
}

describe('PostgresKeyStore in a shared database', () => {
  let schema: TestSchema;
  const opened: PostgresKeyStore[] = [];
  const open = async (url = schema.url): Promise<PostgresKeyStore> => {
    const store = await PostgresKeyStore.open({ connectionString: url });
    opened.push(store);
    return store;
  };
  /** Runs a query in the test schema on a connection of its own. */
  const inspect = <T>(text: string, values: unknown[] = []): Promise<T[]> =>
    withTestDatabase(async (client) => {
      await client.query(`SET search_path TO ${schema.name}`);
      return (await client.query(text, values)).rows as T[];
    });

  beforeEach(async () => {
    schema = await createTestSchema();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await schema.drop();
  });

  describe('migrations', () => {
    it('creates the tables and records each migration once; reopening changes nothing and keeps the data', async () => {
      const first = await open();
      expect(await inspect('SELECT version FROM schema_migrations ORDER BY version')).toEqual(
        MIGRATIONS.map((_, index) => ({ version: index + 1 })),
      );
      const key = record('app/orders');
      await first.insertKey(key, { maxKeysPerProject: 10 });
      await first.setMetaIfAbsent('root_key_check_value', 'abc');
      await first.close();

      const second = await open();
      expect(await inspect('SELECT version FROM schema_migrations ORDER BY version')).toEqual(
        MIGRATIONS.map((_, index) => ({ version: index + 1 })),
      );
      expect(await second.findKeyById(SCOPE, key.keyId)).toEqual(key);
      expect(await second.getMeta('root_key_check_value')).toBe('abc');
    });

    it('lets several stores open the same empty schema at once: every one opens, each migration applies once', async () => {
      const stores = await Promise.all(Array.from({ length: 4 }, () => open()));
      expect(await inspect('SELECT version FROM schema_migrations ORDER BY version')).toEqual(
        MIGRATIONS.map((_, index) => ({ version: index + 1 })),
      );
      // They all work on the same tables.
      const key = record('shared');
      await stores[0]!.insertKey(key, { maxKeysPerProject: 10 });
      for (const store of stores) expect(await store.findKeyByAlias(SCOPE, 'shared')).toEqual(key);
    });

    it("is not cut short by the query timeout, which bounds requests: a long migration, or the wait for another server's, completes", async () => {
      // Statements bounded at 200 ms (server) and 700 ms (driver), as a store opened with queryTimeoutMs: 200 has them.
      const pool = new Pool({ connectionString: schema.url, statement_timeout: 200, query_timeout: 700 });
      pool.on('error', () => undefined);
      try {
        await migrate(pool, ['SELECT pg_sleep(1.2)', 'CREATE TABLE slow_marker (n integer)']);
        expect(await inspect('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);
      } finally {
        await pool.end();
      }
    });

    it('upgrades a version 1 schema (keys only) with the access key table, keeping its keys', async () => {
      await inspect('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      await inspect(MIGRATIONS[0]!);
      await inspect('INSERT INTO schema_migrations (version) VALUES (1)');
      await inspect(
        `INSERT INTO keys (key_id, domain_id, project_id, key_alias, key_description, origin, key_state, enterprise_project_id, creation_date)
         VALUES ('k1', $1, $2, 'old', ''::bytea, 'kms', '2', '0', 1)`,
        [SCOPE.domainId, SCOPE.projectId],
      );
      const store = await open();
      expect((await store.findKeyByAlias(SCOPE, 'old'))?.keyId).toBe('k1');
      expect(await store.listAccessKeys()).toEqual([]);
      expect(await inspect('SELECT version FROM schema_migrations ORDER BY version')).toEqual(
        MIGRATIONS.map((_, index) => ({ version: index + 1 })),
      );
    });

    it('refuses a schema newer than it knows', async () => {
      await (await open()).close();
      await inspect('INSERT INTO schema_migrations (version) VALUES ($1)', [MIGRATIONS.length + 1]);
      await expect(PostgresKeyStore.open({ connectionString: schema.url })).rejects.toThrow(/newer than this server/);
    });

    it('fails clearly when no schema on the search_path exists', async () => {
      const url = urlWithSearchPath(testPostgresUrl(), `${schema.name}_missing`);
      await expect(PostgresKeyStore.open({ connectionString: url })).rejects.toThrow(/no schema on the search_path exists/);
    });
  });

  describe('the schema itself', () => {
    it('keeps wrapped material as bytea and enforces the alias rule with a unique constraint', async () => {
      await open();
      const columns = await inspect<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = 'keys' AND column_name IN ('wrapped_material', 'creation_date', 'key_description')
          ORDER BY column_name`,
        [schema.name],
      );
      expect(columns).toEqual([
        { column_name: 'creation_date', data_type: 'bigint' },
        { column_name: 'key_description', data_type: 'bytea' },
        { column_name: 'wrapped_material', data_type: 'bytea' },
      ]);
      const insert = `INSERT INTO keys (key_id, domain_id, project_id, key_alias, key_description, origin, key_state, enterprise_project_id, creation_date)
                      VALUES ($1, 'd', 'p', 'same', '', 'kms', '2', '0', 0)`;
      await inspect(insert, [randomUUID()]);
      await expect(inspect(insert, [randomUUID()])).rejects.toThrow(/keys_alias_unique/);
    });
  });

  describe('several processes (separate pools) on one database', () => {
    it('lets exactly one of concurrent same-alias inserts from two pools win, for each of several aliases', async () => {
      const [a, b] = [await open(), await open()];
      for (const alias of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
        const attempts = Array.from({ length: 12 }, () => record(alias));
        const results = await Promise.all(attempts.map((key, i) => (i % 2 === 0 ? a : b).insertKey(key, { maxKeysPerProject: 100 })));
        expect(results.filter((result) => result.ok)).toHaveLength(1);
        expect(results.filter((result) => !result.ok)).toEqual(Array(11).fill({ ok: false, reason: 'duplicate-alias' }));
        const winner = attempts[results.findIndex((result) => result.ok)]!;
        expect(await a.findKeyByAlias(SCOPE, alias)).toEqual(winner);
        expect(await b.findKeyByAlias(SCOPE, alias)).toEqual(winner);
      }
      expect(await a.countKeys(SCOPE)).toBe(5);
    });

    it('never lets concurrent inserts from two pools exceed the quota', async () => {
      const [a, b] = [await open(), await open()];
      const limits = { maxKeysPerProject: 7 };
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).insertKey(record(`q${i}`), limits)));
      expect(results.filter((result) => result.ok)).toHaveLength(7);
      expect(results.filter((result) => !result.ok)).toEqual(Array(33).fill({ ok: false, reason: 'quota-exceeded' }));
      expect(await inspect('SELECT count(*)::int AS n FROM keys')).toEqual([{ n: 7 }]);
      // Another project is not held up by the full one.
      await expect(b.insertKey(record('q0', { ...SCOPE, projectId: 'other' }), limits)).resolves.toEqual({ ok: true });
    });

    it('purges due keys once across two pools purging together: each key deleted and reported by exactly one', async () => {
      const [a, b] = [await open(), await open()];
      const due = Array.from({ length: 60 }, (_, i) => ({
        ...record(`due${i}`),
        keyState: '4' as const,
        scheduledDeletionDate: 1_000 + i,
      }));
      for (const key of due) await a.insertKey(key, { maxKeysPerProject: 1000 });
      await a.insertKey({ ...record('kept'), keyState: '4' as const, scheduledDeletionDate: 5_000 }, { maxKeysPerProject: 1000 });
      const reported = (
        await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).purgeKeysDueForDeletion(2_000, 7)))
      ).flat();
      const rest = [...(await a.purgeKeysDueForDeletion(2_000, 1000)), ...(await b.purgeKeysDueForDeletion(2_000, 1000))];
      const all = [...reported, ...rest];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(due.map((key) => key.keyId).sort());
      expect(await inspect('SELECT key_alias FROM keys')).toEqual([{ key_alias: 'kept' }]);
    });

    it('agrees on one meta value set from two pools at once', async () => {
      const [a, b] = [await open(), await open()];
      const values = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).setMetaIfAbsent('contended', `v${i}`)));
      expect(new Set(values).size).toBe(1);
    });
  });

  describe('connections', () => {
    it('refuses to open when commits would not be durable (synchronous_commit=off)', async () => {
      const url = new URL(schema.url);
      url.searchParams.set('options', `-c search_path=${schema.name} -c synchronous_commit=off`);
      await expect(PostgresKeyStore.open({ connectionString: url.toString() })).rejects.toThrow(/synchronous_commit is off/);
    });

    it('does not put the password in the error when it is wrong', async () => {
      const url = new URL(schema.url);
      url.password = `wrong-${randomBytes(8).toString('hex')}`;
      const error: Error = await PostgresKeyStore.open({ connectionString: url.toString() }).then(
        () => {
          throw new Error('opened with a wrong password');
        },
        (reason: Error) => reason,
      );
      expect(error.message).toMatch(/password authentication failed/);
      expect(`${error.message}\n${error.stack}\n${JSON.stringify(error)}`).not.toContain(url.password);
    });

    it('survives the database closing its idle connections, and reports them', async () => {
      const applicationName = `openkms_idle_${randomBytes(6).toString('hex')}`;
      const url = new URL(schema.url);
      // The URL's application_name lets this test find its own connections among other tests'.
      url.searchParams.set('application_name', applicationName);
      const idleErrors: Error[] = [];
      const store = await PostgresKeyStore.open({
        connectionString: url.toString(),
        onConnectionError: (error) => idleErrors.push(error),
      });
      opened.push(store);
      await store.insertKey(record('before'), { maxKeysPerProject: 10 });

      const terminated = await withTestDatabase(async (client) => {
        const { rows } = await client.query<{ done: boolean }>(
          'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        );
        return rows.length;
      });
      expect(terminated).toBeGreaterThan(0);
      // The store keeps working on new connections.
      await waitUntil(() => idleErrors.length >= terminated);
      // Once each: the pool's re-emission of an idle connection's error is not reported again.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(idleErrors).toHaveLength(terminated);
      await expect(store.insertKey(record('after'), { maxKeysPerProject: 10 })).resolves.toEqual({ ok: true });
      expect(await store.countKeys(SCOPE)).toBe(2);
    });

    it('survives its connections being terminated while in use, under concurrent inserts', async () => {
      // Issue 18, defect 1: a connection checked out of the pool (insertKey's transaction) that
      // the database drops emitted an 'error' event with no listener, which ends the process.
      const applicationName = `openkms_busy_${randomBytes(6).toString('hex')}`;
      const url = new URL(schema.url);
      url.searchParams.set('application_name', applicationName);
      const connectionErrors: Error[] = [];
      const store = await PostgresKeyStore.open({
        connectionString: url.toString(),
        onConnectionError: (error) => connectionErrors.push(error),
      });
      opened.push(store);
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', onUncaught);
      const acknowledged: KeyRecord[] = [];
      const failures: unknown[] = [];
      let inserting = true;
      try {
        const inserters = Array.from({ length: 6 }, async (_, worker) => {
          // Bounded in count; the terminator below ends it sooner.
          for (let n = 0; n < 200 && inserting; n += 1) {
            const key = record(`busy/${worker}/${n}`);
            try {
              if ((await store.insertKey(key, { maxKeysPerProject: 10_000 })).ok) acknowledged.push(key);
            } catch (error) {
              failures.push(error);
            }
          }
        });
        let terminated = 0;
        for (let round = 0; round < 40 && terminated < 15; round += 1) {
          await new Promise((resolve) => setTimeout(resolve, 15));
          terminated += await withTestDatabase(async (client) => {
            const { rows } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
              applicationName,
            ]);
            return rows.length;
          });
        }
        inserting = false;
        await Promise.all(inserters);
        expect(terminated).toBeGreaterThan(0);
      } finally {
        process.off('uncaughtException', onUncaught);
      }
      expect(uncaught).toEqual([]);
      // Each failure is one the server answers as 503 (store unavailable), never an unknown error.
      for (const failure of failures) expect(storeUnavailableReason(failure)).toEqual(expect.any(String));
      // The store recovers by itself, and every acknowledged key is there.
      await expect(store.insertKey(record('after-storm'), { maxKeysPerProject: 10_000 })).resolves.toEqual({ ok: true });
      for (const key of acknowledged) expect(await store.findKeyById(SCOPE, key.keyId)).toEqual(key);
    });

    it('bounds a statement by queryTimeoutMs: a lock wait past it fails as unavailable, and the store goes on', async () => {
      const store = await PostgresKeyStore.open({ connectionString: schema.url, queryTimeoutMs: 300 });
      opened.push(store);
      const key = record('waits');
      // Another session holds the project's insert lock, so insertKey waits on it until the timeout.
      await withTestDatabase(async (client) => {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryLockKey('openkms.project-keys', SCOPE.domainId, SCOPE.projectId)]);
        try {
          const failure: unknown = await store.insertKey(key, { maxKeysPerProject: 10 }).catch((error: unknown) => error);
          expect(storeUnavailableReason(failure)).toMatch(/^57014 /);
        } finally {
          await client.query('ROLLBACK');
        }
      });
      await expect(store.insertKey(key, { maxKeysPerProject: 10 })).resolves.toEqual({ ok: true });
    });

    it('bounds connecting by connectTimeoutMs: a server that never answers fails the open as unavailable', async () => {
      // A TCP listener that accepts and then says nothing, as a frozen PostgreSQL does.
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = silent.address() as AddressInfo;
        const failure: unknown = await PostgresKeyStore.open({
          connectionString: `postgres://nobody:pw@127.0.0.1:${port}/none`,
          connectTimeoutMs: 300,
        }).catch((error: unknown) => error);
        expect(storeUnavailableReason(failure)).toMatch(/connection timeout|timeout exceeded/);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('closes its pool: later calls reject, and close can be repeated', async () => {
      const store = await PostgresKeyStore.open({ connectionString: schema.url });
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.countKeys(SCOPE)).rejects.toThrow();
    });
  });
});

/** Resolves once `condition` holds; the suite's timeout bounds it. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
