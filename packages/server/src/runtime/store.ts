import type { Logger } from 'pino';
import { maskPostgresUrl, MemoryKeyStore, PostgresKeyStore, SqliteKeyStore, type AccessKeyStore, type KeyStore } from '@openkms/core';
import { dataDirPaths, type StoreSetting } from '../config';

/** A store of keys and of access keys (one database: every instance sharing it sees both). */
export type CredentialAndKeyStore = KeyStore & AccessKeyStore;

/** Opens the key store the configuration names; a PostgreSQL store is migrated before use. */
export async function openStore(setting: StoreSetting, dataDir: string, logger: Logger): Promise<CredentialAndKeyStore> {
  if (setting === 'memory') return new MemoryKeyStore();
  if (setting === 'sqlite') return new SqliteKeyStore(dataDirPaths(dataDir).keyStore);
  return PostgresKeyStore.open({
    connectionString: setting,
    onIdleConnectionError: (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection failed; it will be replaced'),
  });
}

/** The store for logs: its kind, and for PostgreSQL the URL with the password masked. */
export function describeStore(setting: StoreSetting): { store: 'sqlite' | 'memory' | 'postgres'; store_url?: string } {
  if (setting === 'sqlite' || setting === 'memory') return { store: setting };
  return { store: 'postgres', store_url: maskPostgresUrl(setting) };
}
