import type { Logger } from 'pino';
import {
  maskPostgresUrl,
  maskUrlPasswordsInText,
  MemoryKeyStore,
  PostgresKeyStore,
  SqliteKeyStore,
  type AccessKeyStore,
  type KeyStore,
} from '@openkms/core';
import { dataDirPaths, type ServerConfig, type StoreSetting } from '../config';

/** How long the store may take: the server's settings; maintenance commands use the defaults. */
export type StoreTimeouts = Pick<ServerConfig, 'dbConnectTimeoutMs' | 'dbQueryTimeoutMs'>;

/**
 * SQLite waits for another process's lock synchronously, holding this process's event loop:
 * --db-query-timeout-ms may shorten that wait, never lengthen it past this.
 */
const SQLITE_MAX_BUSY_TIMEOUT_MS = 5_000;

/** A store of keys and of access keys (one database: every instance sharing it sees both). */
export type CredentialAndKeyStore = KeyStore & AccessKeyStore;

/** Opens the key store the configuration names; a PostgreSQL store is migrated before use. */
export async function openStore(
  setting: StoreSetting,
  dataDir: string,
  logger: Logger,
  timeouts?: StoreTimeouts,
): Promise<CredentialAndKeyStore> {
  if (setting === 'memory') return new MemoryKeyStore();
  if (setting === 'sqlite') {
    const busyTimeoutMs = Math.min(timeouts?.dbQueryTimeoutMs ?? SQLITE_MAX_BUSY_TIMEOUT_MS, SQLITE_MAX_BUSY_TIMEOUT_MS);
    return new SqliteKeyStore(dataDirPaths(dataDir).keyStore, { busyTimeoutMs });
  }
  return PostgresKeyStore.open({
    connectionString: setting,
    connectTimeoutMs: timeouts?.dbConnectTimeoutMs,
    queryTimeoutMs: timeouts?.dbQueryTimeoutMs,
    // A lost connection is replaced by the pool; the requests it failed were answered 503.
    onConnectionError: (error) =>
      logger.warn(
        { store_error: maskUrlPasswordsInText(`${(error as { code?: string }).code ?? ''} ${error.message}`.trim()) },
        'a PostgreSQL connection failed; it will be replaced',
      ),
  });
}

/** The store for logs: its kind, and for PostgreSQL the URL with the password masked. */
export function describeStore(setting: StoreSetting): { store: 'sqlite' | 'memory' | 'postgres'; store_url?: string } {
  if (setting === 'sqlite' || setting === 'memory') return { store: setting };
  return { store: 'postgres', store_url: maskPostgresUrl(setting) };
}
