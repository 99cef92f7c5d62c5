import { StoreUnavailableError } from '../errors';
import { maskUrlPasswordsInText } from './postgres-url';

/**
 * Which failures of a store mean "the database is unavailable, try again later" (503) rather
 * than a bug or damaged data (500). Both drivers report errors as plain objects with a `code`:
 * pg a five-character SQLSTATE or a Node socket error code, better-sqlite3 an SQLITE_* code.
 */

/** SQLSTATE classes: 08 connection exception, 53 insufficient resources (disk full, too many connections), 57 operator intervention (shutdown, statement timeout), 58 system error (I/O). */
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58']);
/** Single SQLSTATEs: serialization failure, deadlock, lock timeout, idle-in-transaction timeout. */
const UNAVAILABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '25P03']);
/** Socket errors on the way to the database. */
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLite primary result codes (extended codes such as SQLITE_IOERR_WRITE start with them). */
const UNAVAILABLE_SQLITE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_NOMEM', 'SQLITE_CANTOPEN'];
/** What the pg driver and pool throw, without a code, when a connection is lost or a timeout fires. */
const UNAVAILABLE_PG_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /^Cannot use a pool after calling end on the pool$/,
];

/**
 * A short, password-free description of `error` when it says the store is unavailable
 * (for example `57P01 terminating connection due to administrator command`), else undefined.
 */
export function storeUnavailableReason(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? maskUrlPasswordsInText(message) : '';
  if (typeof code === 'string') {
    const unavailable =
      (/^[0-9A-Z]{5}$/.test(code) && (UNAVAILABLE_SQLSTATE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_SQLSTATES.has(code))) ||
      UNAVAILABLE_SOCKET_CODES.has(code) ||
      UNAVAILABLE_SQLITE_CODES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`));
    return unavailable ? `${code} ${text}`.trim() : undefined;
  }
  if (UNAVAILABLE_PG_MESSAGES.some((pattern) => pattern.test(text))) return text;
  // pg's pool wraps a timed-out connect: the cause says why.
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : storeUnavailableReason(cause);
}

/** `error` as a StoreUnavailableError (503 KMS.0104) when it says the store is unavailable, else undefined. */
export function asStoreUnavailable(error: unknown): StoreUnavailableError | undefined {
  if (error instanceof StoreUnavailableError) return error;
  const reason = storeUnavailableReason(error);
  return reason === undefined ? undefined : new StoreUnavailableError(reason);
}
