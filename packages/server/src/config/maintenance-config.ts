import { resolve } from 'node:path';
import { dataDirPaths } from './data-dir';
import { DEFAULTS } from './defaults';
import { resolveDataDir, resolveKeyStoreConfig, type KeyStoreConfig, type KeyStoreConfigInput } from './server-config';

/** `openkms-server backup`: the data directory whose SQLite store is copied, and the new file. */
export interface BackupConfigInput {
  readonly dataDir?: string;
  readonly to: string;
}

export interface BackupConfig {
  readonly dataDir: string;
  /** The store file copied (`<dataDir>/keys.sqlite`). */
  readonly keyStoreFile: string;
  /** The backup file to create; never overwritten. */
  readonly destination: string;
}

export function resolveBackupConfig(input: BackupConfigInput): BackupConfig {
  const dataDir = resolveDataDir(input.dataDir);
  return { dataDir, keyStoreFile: dataDirPaths(dataDir).keyStore, destination: resolve(input.to) };
}

/** `openkms-server rewrap`: the key store, its root keys, and the batch size. */
export interface RewrapConfigInput extends KeyStoreConfigInput {
  readonly batchSize?: number;
}

export interface RewrapConfig extends KeyStoreConfig {
  readonly batchSize: number;
}

export function resolveRewrapConfig(input: RewrapConfigInput): RewrapConfig {
  return { ...resolveKeyStoreConfig(input), batchSize: input.batchSize ?? DEFAULTS.batchSize };
}
