/**
 * A key store that fails (database down, connection dropped, timeout, full disk) is answered
 * 503 KMS.0104 with Retry-After, never a 500 with internals; the log says what happened
 * without a stack or a URL password; the next request tries the store again.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { MemoryKeyStore, type InsertKeyConditions, type InsertKeyResult, type KeyRecord, type Scope } from '@openkms/core';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '../src/http/service-unavailable';
import { startTestServer } from '../src/testing';
import { buildTestApp, expectKmsError } from './support';

/** A memory store whose reads and inserts fail with `failure` while it is set. */
class FailingStore extends MemoryKeyStore {
  failure: Error | undefined;

  override async insertKey(record: KeyRecord, conditions: InsertKeyConditions): Promise<InsertKeyResult> {
    if (this.failure !== undefined) throw this.failure;
    return super.insertKey(record, conditions);
  }

  override async findKeyByAlias(scope: Scope, keyAlias: string): Promise<KeyRecord | undefined> {
    if (this.failure !== undefined) throw this.failure;
    return super.findKeyByAlias(scope, keyAlias);
  }

  override async findKeyById(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    if (this.failure !== undefined) throw this.failure;
    return super.findKeyById(scope, keyId);
  }
}

const PASSWORD = 'pw-0f3c9a7e';
const STORE_FAILURES: [string, Error][] = [
  [
    'a connection the database terminated (57P01)',
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  ],
  [
    'a refused connection',
    Object.assign(new Error(`connect ECONNREFUSED postgres://kms:${PASSWORD}@127.0.0.1:5432`), { code: 'ECONNREFUSED' }),
  ],
  ['a statement timeout (57014)', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })],
  ['no answer in time', new Error('Query read timeout')],
  ['no free connection in time', new Error('timeout exceeded when trying to connect')],
  ['a full disk (SQLITE_FULL)', new Database.SqliteError('database or disk is full', 'SQLITE_FULL')],
  ['an I/O error (SQLITE_IOERR_WRITE)', new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE')],
];

describe('a failing key store', () => {
  it.each(STORE_FAILURES)('%s: 503 KMS.0104 with Retry-After, a warning without stack or password, then recovery', async (_, failure) => {
    const store = new FailingStore();
    const t = await buildTestApp({ store });
    const created = await t.createKey({ key_alias: 'before' }).expect(200);

    store.failure = failure;
    for (const res of [
      await t.createKey({ key_alias: 'during' }),
      await t.createDatakey({ key_id: created.body.key_info.key_id, datakey_length: '256' }),
    ]) {
      expectKmsError(res, 503, 'KMS.0104');
      expect(res.body).toEqual({ error: { error_code: 'KMS.0104', error_msg: 'The service is unavailable.' } });
      expect(res.headers['retry-after']).toBe(String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
    }
    const logs = t.logs.join('');
    const warnings = t.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.store_error !== undefined);
    expect(warnings).toHaveLength(2);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ level: 40, msg: 'the key store is unavailable; answered 503' });
      expect(warning.store_error).toContain(failure.message.split(' ')[0]);
      expect(warning.err).toBeUndefined();
    }
    expect(logs).not.toContain(PASSWORD);
    // No "request failed" line with the error and its stack: an outage is not a bug.
    expect(logs).not.toContain('request failed');
    expect(logs).not.toContain('"stack"');

    store.failure = undefined;
    await t.createKey({ key_alias: 'after' }).expect(200);
  });

  it('anything else from the store stays a 500 KMS.0101 with details only in the log', async () => {
    const store = new FailingStore();
    const t = await buildTestApp({ store });
    store.failure = new TypeError('a bug in a store');
    const res = await t.createKey({ key_alias: 'x' });
    expectKmsError(res, 500, 'KMS.0101');
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

describe('SQLite held locked by another process', () => {
  it('past --db-query-timeout-ms, create-key is 503 KMS.0104; once the lock goes, it works again', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const server = await startTestServer({ store: 'sqlite', logger, config: { dbQueryTimeoutMs: 200 } });
    const createKey = (alias: string) =>
      fetch(`${server.url}/v1.0/${server.projectId}/kms/create-key`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': server.token },
        body: JSON.stringify({ key_alias: alias }),
      });
    const other = new Database(join(server.dataDir, 'keys.sqlite'));
    try {
      expect((await createKey('before')).status).toBe(200);
      other.exec('BEGIN IMMEDIATE');
      const refused = await createKey('during');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      expect(await refused.json()).toEqual({ error: { error_code: 'KMS.0104', error_msg: 'The service is unavailable.' } });
      expect(lines.join('')).toMatch(/"store_error":"SQLITE_BUSY/);
      other.exec('ROLLBACK');
      expect((await createKey('after')).status).toBe(200);
    } finally {
      other.close();
      await server.stop();
    }
  });
});
