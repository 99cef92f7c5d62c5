/**
 * The PostgreSQL the tests of every package use, one fresh schema per use: `@openkms/core/testing`.
 * Test support only; nothing in the server imports it.
 *
 * The database comes from OPENKMS_TEST_POSTGRES_URL, or else is the one
 * tools/scripts/test-postgres.sh makes (the nx test target runs that script first). When it
 * cannot be reached the tests fail with a message saying so; they never skip.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { maskPostgresUrl, type PostgresUrl } from '../store/postgres-url';

/** What tools/scripts/test-postgres.sh creates: a local, test-only role and database. */
export const DEFAULT_TEST_POSTGRES_URL = 'postgres://openkms_test:openkms_test_password@127.0.0.1:5432/openkms_test';

export function testPostgresUrl(): string {
  return process.env.OPENKMS_TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;
}

/** `url` with its connections' search_path set to `schema`, so unqualified tables live there. */
export function urlWithSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Runs `work` on one short-lived connection to the test database. */
export async function withTestDatabase<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const url = testPostgresUrl();
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection the server drops between two queries emits 'error'; unheard, it would end the
  // test process. The next query fails instead, which is what the test sees.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `the PostgreSQL test database at ${maskPostgresUrl(url)} is not reachable (${(error as Error).message}). ` +
        'Run tools/scripts/test-postgres.sh (the nx test target does), or set OPENKMS_TEST_POSTGRES_URL.',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestSchema {
  readonly name: string;
  /** The test database's URL with search_path set to this schema. */
  readonly url: PostgresUrl;
  /** The password in `url`, so tests can check it never shows. */
  readonly password: string;
  drop(): Promise<void>;
}

/** Creates a uniquely named, empty schema; drop() removes it with everything in it. */
export async function createTestSchema(): Promise<TestSchema> {
  const name = `openkms_test_${randomBytes(8).toString('hex')}`;
  await withTestDatabase((client) => client.query(`CREATE SCHEMA ${name}`));
  const url = urlWithSearchPath(testPostgresUrl(), name);
  return {
    name,
    url: url as PostgresUrl,
    password: decodeURIComponent(new URL(url).password),
    drop: async () => {
      await withTestDatabase((client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
    },
  };
}
