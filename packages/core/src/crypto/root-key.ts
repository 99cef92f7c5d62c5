import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AES_KEY_BYTES, openAesGcm, sealAesGcm, type RandomBytes, systemRandomBytes } from './aes-gcm';

/** Where a customer master key's material belongs; bound into its wrapping. */
export interface KeyMaterialOwner {
  readonly domainId: string;
  readonly projectId: string;
  readonly keyId: string;
}

const WRAP_LABEL = 'openkms.cmk-material.v1';
const CHECK_LABEL = 'openkms root key check v1';

/**
 * The root key wraps every customer master key's material at rest (AES-256-GCM).
 * The raw bytes live in a private field and never appear in logs, JSON or inspection.
 */
export class RootKey {
  readonly #bytes: Buffer;

  private constructor(bytes: Buffer) {
    if (bytes.length !== AES_KEY_BYTES) {
      throw new Error(`the root key must be ${AES_KEY_BYTES} bytes (64 hex characters or 44 base64 characters)`);
    }
    this.#bytes = Buffer.from(bytes);
  }

  static fromBytes(bytes: Buffer): RootKey {
    return new RootKey(bytes);
  }

  /** Parses 64 hex characters or the base64 encoding of 32 bytes (surrounding whitespace ignored). */
  static fromEncoded(encoded: string): RootKey {
    const text = encoded.trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) return new RootKey(Buffer.from(text, 'hex'));
    if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return new RootKey(Buffer.from(text, 'base64'));
    throw new Error('the root key must be 64 hex characters or the base64 encoding of 32 bytes');
  }

  static generate(): RootKey {
    return new RootKey(randomBytes(AES_KEY_BYTES));
  }

  /**
   * Reads the root key file, or creates it with a fresh key and mode 0600 when it does not
   * exist. The key is written to a temporary file, synced, then hard-linked into place, so
   * the file appears whole or not at all (two processes starting at once agree on one key,
   * and a crash cannot leave an empty key file beside keys wrapped under it). A file that
   * others may read is refused, as ssh refuses a private key.
   */
  static loadOrCreateFile(path: string): { rootKey: RootKey; created: boolean } {
    if (!existsSync(path)) {
      const rootKey = RootKey.generate();
      const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        writeSync(fd, `${rootKey.#bytes.toString('hex')}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(temporary, path);
        syncDirectory(dirname(path));
        return { rootKey, created: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(temporary);
      }
    }
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(`root key file ${path} is accessible by other users (mode ${mode.toString(8)}); run chmod 600 on it`);
    }
    return { rootKey: RootKey.fromEncoded(readFileSync(path, 'utf8')), created: false };
  }

  /**
   * A public fingerprint of the root key (first 8 bytes of an HMAC, hex). Stored beside the
   * keys so that starting with the wrong root key fails at once instead of at first use.
   */
  checkValue(): string {
    return createHmac('sha256', this.#bytes).update(CHECK_LABEL).digest().subarray(0, 8).toString('hex');
  }

  /** Seals key material for storage; the owner is bound as associated data. */
  wrap(material: Buffer, owner: KeyMaterialOwner, random: RandomBytes = systemRandomBytes): Buffer {
    return sealAesGcm(this.#bytes, material, wrapAad(owner), random);
  }

  /** Opens wrapped material; undefined if it was altered, moved to another key, or wrapped under another root key. */
  unwrap(wrapped: Buffer, owner: KeyMaterialOwner): Buffer | undefined {
    return openAesGcm(this.#bytes, wrapped, wrapAad(owner));
  }

  toJSON(): string {
    return '[RootKey]';
  }

  toString(): string {
    return '[RootKey]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[RootKey]';
  }
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

function wrapAad(owner: KeyMaterialOwner): Buffer {
  return Buffer.from([WRAP_LABEL, owner.domainId, owner.projectId, owner.keyId].join('\0'), 'utf8');
}
