import Database from 'better-sqlite3';
import fc from 'fast-check';
import { KmsError, StoreUnavailableError } from '../errors';
import { asStoreUnavailable, storeUnavailableReason } from './store-unavailable';

/** An error shaped as the pg driver reports one from the server (a DatabaseError with its SQLSTATE). */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

describe('storeUnavailableReason', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection due to crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['57014', 'canceling statement due to statement timeout'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
    ['53100', 'could not extend file: No space left on device'],
    ['58030', 'could not write to file'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'canceling statement due to lock timeout'],
  ])('a PostgreSQL error %s is unavailability', (code, message) => {
    expect(storeUnavailableReason(pgError(code, message))).toBe(`${code} ${message}`);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'])(
    'a socket error %s is unavailability',
    (code) => {
      const error = Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -1, syscall: 'connect' });
      expect(storeUnavailableReason(error)).toBe(`${code} connect ${code} 127.0.0.1:5432`);
    },
  );

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'Client has encountered a connection error and is not queryable',
    'timeout exceeded when trying to connect',
    'Query read timeout',
  ])('the pg driver\'s "%s" is unavailability', (message) => {
    expect(storeUnavailableReason(new Error(message))).toBe(message);
  });

  it('looks into the cause of a wrapped error', () => {
    const wrapped = new Error('Connection terminated due to connection timeout', {
      cause: new Error('Connection terminated unexpectedly'),
    });
    expect(storeUnavailableReason(new Error('outer', { cause: wrapped }))).toBe('Connection terminated due to connection timeout');
  });

  it.each([
    'SQLITE_BUSY',
    'SQLITE_BUSY_TIMEOUT',
    'SQLITE_LOCKED',
    'SQLITE_FULL',
    'SQLITE_IOERR',
    'SQLITE_IOERR_WRITE',
    'SQLITE_IOERR_FSYNC',
  ])('an SQLite %s is unavailability', (code) => {
    expect(storeUnavailableReason(new Database.SqliteError('disk trouble', code))).toBe(`${code} disk trouble`);
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['42P01', 'relation "keys" does not exist'],
    ['22P02', 'invalid input syntax'],
    ['XX001', 'could not read block: data corrupted'],
  ])('a PostgreSQL error %s (a bug or damage) is not', (code, message) => {
    expect(storeUnavailableReason(pgError(code, message))).toBeUndefined();
  });

  it.each(['SQLITE_CORRUPT', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_MISMATCH'])('an SQLite %s is not', (code) => {
    expect(storeUnavailableReason(new Database.SqliteError('x', code))).toBeUndefined();
  });

  it.each([
    undefined,
    null,
    'ECONNREFUSED',
    42,
    new Error('boom'),
    new TypeError("Cannot read properties of undefined (reading 'x')"),
    { code: 7 },
  ])('anything else is not: %p', (value) => {
    expect(storeUnavailableReason(value)).toBeUndefined();
  });

  it('masks any URL password the message carries (property)', () => {
    // Characters a password may have in a URL's user-info without ending it.
    const passwordChar = fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=%".split(''));
    fc.assert(
      fc.property(
        fc.string({ unit: passwordChar, minLength: 1, maxLength: 40 }),
        fc.constantFrom('ENOTFOUND', '08006', 'SQLITE_IOERR'),
        (password, code) => {
          const message = `could not reach postgres://kms:${password}@db.example:5432/kms`;
          const reason = storeUnavailableReason(Object.assign(new Error(message), { code }));
          expect(reason).toContain('postgres://kms:***@db.example');
          expect(reason).not.toContain(`:${password}@`);
        },
      ),
    );
  });

  it('masks a URL password the message carries', () => {
    const reason = storeUnavailableReason(
      Object.assign(new Error('getaddrinfo ENOTFOUND for postgres://kms:s3cret-pw@db.example:5432/kms'), { code: 'ENOTFOUND' }),
    );
    expect(reason).toContain('postgres://kms:***@db.example');
    expect(reason).not.toContain('s3cret-pw');
  });
});

describe('asStoreUnavailable', () => {
  it('makes a 503 KMS.0104 KmsError whose client message says nothing of the cause', () => {
    const error = asStoreUnavailable(pgError('57P01', 'terminating connection due to administrator command'));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ code: 'KMS.0104', httpStatus: 503, message: 'The service is unavailable.' });
    expect(error?.reason).toBe('57P01 terminating connection due to administrator command');
  });

  it('keeps a StoreUnavailableError as it is, and leaves other errors alone', () => {
    const given = new StoreUnavailableError('x');
    expect(asStoreUnavailable(given)).toBe(given);
    expect(asStoreUnavailable(new Error('boom'))).toBeUndefined();
  });
});
