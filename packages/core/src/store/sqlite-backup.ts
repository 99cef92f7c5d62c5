import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface SqliteBackupResult {
  readonly destination: string;
  readonly pages: number;
  /** Keys in the copy, all domains. */
  readonly keys: number;
}

/**
 * An online, consistent copy of a SQLite key store while a server keeps using it: SQLite's
 * backup API reads a snapshot page by page, and writers are not blocked for long. The copy
 * goes to a temporary file in the destination's directory, is checked (`integrity_check`),
 * synced, and only then linked into place, so a crash leaves either no backup or a whole
 * one, and an existing file is never overwritten.
 *
 * The copy holds only wrapped key material; it is useless without the root key, which must
 * be backed up separately (and kept apart).
 */
export async function backupSqliteStore(source: string, destination: string): Promise<SqliteBackupResult> {
  if (!existsSync(source)) throw new Error(`no key store at ${source}`);
  if (existsSync(destination)) throw new Error(`${destination} exists; a backup never overwrites a file`);
  const temporary = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.partial`);
  // Created 0600 before SQLite opens it, so the copy is never readable by others.
  closeSync(openSync(temporary, 'wx', 0o600));
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    let pages: number;
    try {
      db.pragma('busy_timeout = 5000');
      pages = (await db.backup(temporary)).totalPages;
    } finally {
      db.close();
    }
    const copy = new Database(temporary, { fileMustExist: true });
    let keys: number;
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
      keys = (copy.prepare('SELECT COUNT(*) AS n FROM keys').get() as { n: number }).n;
    } finally {
      copy.close();
    }
    const fd = openSync(temporary, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // link() fails if the destination appeared meanwhile: still no overwrite.
    linkSync(temporary, destination);
    syncDirectory(dirname(destination));
    if (statSync(destination).size === 0) throw new Error('the backup is empty');
    return { destination, pages, keys };
  } finally {
    unlinkSync(temporary);
  }
}

function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
