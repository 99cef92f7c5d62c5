import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sha256Hex } from './token-registry';

/** One entry of the token file as written: only the token's SHA-256. */
export interface TokenFileEntry {
  readonly name: string;
  readonly token_sha256: string;
  readonly domain_id: string;
  readonly projects: readonly string[];
}

interface TokenFile {
  tokens: TokenFileEntry[];
}

/** A fresh token: `okms_` and 32 random bytes, base64url (as the development token). */
export function generateToken(): string {
  return `okms_${randomBytes(32).toString('base64url')}`;
}

/** The token file's entries as stored (none when the file does not exist). */
export function readTokenFileEntries(path: string): TokenFileEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read token file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`token file ${path} is not JSON: ${(error as Error).message}`);
  }
  const tokens = (parsed as Partial<TokenFile> | null)?.tokens;
  if (!Array.isArray(tokens)) throw new Error(`token file ${path}: expected {"tokens": [...]}`);
  tokens.forEach((entry: unknown, index) => {
    const candidate = entry as Partial<Record<keyof TokenFileEntry, unknown>> | null;
    const valid =
      typeof candidate === 'object' &&
      candidate !== null &&
      typeof candidate.name === 'string' &&
      typeof candidate.token_sha256 === 'string' &&
      typeof candidate.domain_id === 'string' &&
      Array.isArray(candidate.projects) &&
      candidate.projects.every((project) => typeof project === 'string');
    if (!valid) throw new Error(`token file ${path}: entry ${index} needs name, token_sha256, domain_id and projects (strings)`);
  });
  return tokens;
}

/**
 * Replaces the token file atomically: the new content goes to a temporary file (mode 0600) in
 * the same directory, is synced, and is renamed over the old one, so a server reading it (at
 * start, or on SIGHUP) sees the old file or the new one, never a part.
 */
export function writeTokenFileEntries(path: string, tokens: readonly TokenFileEntry[]): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ tokens }, null, 2)}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable once the directory is synced.
  const dir = openSync(dirname(path), constants.O_RDONLY);
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The entry for a new token: its hash, never the token. */
export function tokenEntry(token: string, fields: { name: string; domainId: string; projects: readonly string[] }): TokenFileEntry {
  return { name: fields.name, token_sha256: sha256Hex(token), domain_id: fields.domainId, projects: [...fields.projects] };
}

/** How long a writer waits for another's lock, and the age beyond which a lock is taken as left by a crash. */
const LOCK_WAIT_MS = 10_000;
const STALE_LOCK_MS = 60_000;

/**
 * Runs `update` (read, change, write the token file) holding `<file>.lock`, so that two
 * commands run at once cannot lose each other's change. A lock older than a minute is taken
 * as left behind by a crashed command and removed.
 */
export function withTokenFileLock<T>(path: string, update: () => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    if (age > STALE_LOCK_MS) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the token file is locked by another command (${lock}); try again`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
  }
  try {
    return update();
  } finally {
    rmSync(lock, { force: true });
  }
}
