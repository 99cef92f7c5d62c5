import { existsSync, statSync } from 'node:fs';
import { dataDirPaths, type ServerConfig } from '../config';

/**
 * The server's files and directories are its owner's alone: a token file, data directory, audit
 * log or store that other users may read or write is refused at start, as ssh refuses a private
 * key (and as the root key file is refused). The rule is the root key file's: no permission bit
 * for group or others (mode & 0o077 is 0): directories 0700, files 0600, which is what the
 * server creates.
 */
const GROUP_OR_OTHERS = 0o077;

/** Throws, naming the path, its mode and the chmod that fixes it, when `path` is open to other users. */
export function requireOwnerOnly(path: string, what: string): void {
  const stats = statSync(path);
  const mode = stats.mode & 0o777;
  if ((mode & GROUP_OR_OTHERS) === 0) return;
  const fix = stats.isDirectory() ? '700' : '600';
  throw new Error(`${what} ${path} is accessible by other users (mode ${mode.toString(8).padStart(3, '0')}); run chmod ${fix} on it`);
}

/** requireOwnerOnly, for a file that may not exist yet (the server creates it 0600). */
export function requireOwnerOnlyIfPresent(path: string, what: string): void {
  if (existsSync(path)) requireOwnerOnly(path, what);
}

/**
 * The start-up check of every file the server keeps: the data directory (which holds the audit
 * log), the audit log, the SQLite store and its WAL files when present, and the token file. The
 * root key files are checked where they are read (core's root-key-file).
 */
export function requireServerFilesOwnerOnly(config: Pick<ServerConfig, 'dataDir' | 'store' | 'tokenFile'>): void {
  const paths = dataDirPaths(config.dataDir);
  requireOwnerOnly(config.dataDir, 'data directory');
  requireOwnerOnlyIfPresent(paths.auditLog, 'audit log');
  if (config.store === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) requireOwnerOnlyIfPresent(`${paths.keyStore}${suffix}`, 'key store file');
  }
  requireOwnerOnlyIfPresent(config.tokenFile, 'token file');
}
