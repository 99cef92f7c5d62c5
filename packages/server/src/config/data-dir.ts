import { join } from 'node:path';

/**
 * The files of a server data directory, by role: the only place that knows their names. Operators
 * see these names (README: Configuration, Rotating the root key), so a rename is a breaking change.
 */
export const DATA_DIR_FILES = Object.freeze({
  /** The embedded SQLite key store (`--store sqlite`). */
  keyStore: 'keys.sqlite',
  /** The audit trail: one JSON line per KMS request and per maintenance run. */
  auditLog: 'audit.log',
  /** The root key, unless `--root-key-file` or OPENKMS_ROOT_KEY says otherwise. */
  rootKey: 'root.key',
  /** The root key being retired by a rotation, read only if it exists. */
  previousRootKey: 'root.key.previous',
  /** Tokens and what they may use, unless `--token-file` says otherwise. */
  tokens: 'tokens.json',
  /** The serving process's ID, unless `--pid-file` says otherwise: what `openkms-server reload` signals. */
  pidFile: 'openkms.pid',
});

export type DataDirFile = keyof typeof DATA_DIR_FILES;

/** The path of each file in `dataDir` (absolute when `dataDir` is). */
export function dataDirPaths(dataDir: string): Readonly<Record<DataDirFile, string>> {
  return {
    keyStore: join(dataDir, DATA_DIR_FILES.keyStore),
    auditLog: join(dataDir, DATA_DIR_FILES.auditLog),
    rootKey: join(dataDir, DATA_DIR_FILES.rootKey),
    previousRootKey: join(dataDir, DATA_DIR_FILES.previousRootKey),
    tokens: join(dataDir, DATA_DIR_FILES.tokens),
    pidFile: join(dataDir, DATA_DIR_FILES.pidFile),
  };
}
