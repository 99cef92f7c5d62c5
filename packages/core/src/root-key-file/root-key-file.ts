import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AES_KEY_BYTES } from '../crypto/aes-gcm';
import { RootKey } from '../crypto/root-key';

/**
 * The root key file: one root key, as 64 hex characters (or base64), readable by its owner only.
 * The file I/O lives here, outside crypto/, which holds primitives only.
 */

/**
 * Reads the root key file, or creates it with a fresh key and mode 0600 when it does not
 * exist. The key is written to a temporary file, synced, then hard-linked into place, so
 * the file appears whole or not at all (two processes starting at once agree on one key,
 * and a crash cannot leave an empty key file beside keys wrapped under it). A file that
 * others may read is refused, as ssh refuses a private key.
 */
export function loadOrCreateRootKeyFile(path: string): { rootKey: RootKey; created: boolean } {
  if (!existsSync(path)) {
    const bytes = randomBytes(AES_KEY_BYTES);
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        writeSync(fd, `${bytes.toString('hex')}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(temporary, path);
        syncDirectory(dirname(path));
        return { rootKey: RootKey.fromBytes(bytes), created: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temporary);
      }
    } finally {
      bytes.fill(0);
    }
  }
  return { rootKey: loadRootKeyFile(path), created: false };
}

/**
 * Reads an existing root key file. A file that others may read is refused, as ssh refuses
 * a private key.
 */
export function loadRootKeyFile(path: string): RootKey {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`root key file ${path} is accessible by other users (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  return RootKey.fromEncoded(readFileSync(path, 'utf8'));
}

/** Makes a new directory entry durable (the file's own fsync does not cover its name). */
function syncDirectory(directory: string): void {
  const fd = openSync(directory, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
