import { createHmac, randomBytes } from 'node:crypto';
import { AES_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, openAesGcm, sealAesGcm, type RandomBytes, systemRandomBytes } from './aes-gcm';

/** Where a customer master key's material belongs; bound into its wrapping. */
export interface KeyMaterialOwner {
  readonly domainId: string;
  readonly projectId: string;
  readonly keyId: string;
}

/** Associated-data label of format 0 (no header), read for stores written before rotation existed. */
const LEGACY_WRAP_LABEL = 'openkms.cmk-material.v1';
const WRAP_LABEL = 'openkms.cmk-material.v2';
const CHECK_LABEL = 'openkms root key check v1';
/** Associated-data label of a wrapped credential secret (an access key's SK): never confused with key material. */
const SECRET_WRAP_LABEL = 'openkms.credential-secret.v1';

/** Format byte of wrapped material that names its root key: 0x01 ‖ root key ID (8 bytes) ‖ nonce ‖ sealed ‖ tag. */
export const WRAPPED_MATERIAL_FORMAT = 0x01;
const ROOT_KEY_ID_BYTES = 8;
const HEADER_BYTES = 1 + ROOT_KEY_ID_BYTES;
/** Format 0 wrapped exactly 32 bytes with no header: nonce ‖ sealed ‖ tag. */
const LEGACY_WRAPPED_BYTES = GCM_NONCE_BYTES + AES_KEY_BYTES + GCM_TAG_BYTES;

/** Whom a wrapped credential secret belongs to (an access key's SK); bound into its wrapping. */
export interface SecretOwner {
  readonly domainId: string;
  /** The credential's ID (the access key ID). */
  readonly credentialId: string;
}

/**
 * Which root key wrapped a piece of stored material: its ID from the header, or `legacy` for
 * format 0, which does not say (any root key the server holds may be tried). undefined when
 * the bytes are neither format.
 */
// 'legacy' is spelled out for readers: it is a sentinel beside the hex IDs, which can never equal it.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export function wrappingRootKeyId(wrapped: Buffer): string | 'legacy' | undefined {
  if (wrapped.length === LEGACY_WRAPPED_BYTES) return 'legacy';
  if (wrapped.length < HEADER_BYTES + GCM_NONCE_BYTES + GCM_TAG_BYTES || wrapped[0] !== WRAPPED_MATERIAL_FORMAT) return undefined;
  return wrapped.subarray(1, HEADER_BYTES).toString('hex');
}

/**
 * Fewest distinct byte values a root key in use must show. 32 random bytes show about 30; fewer
 * than 16 happens to a random key with a chance of 3 in 10^17, while all-zero keys, one repeated
 * byte and short repeated patterns (a typed or copied placeholder) show 1 to 8.
 */
export const ROOT_KEY_MIN_DISTINCT_BYTES = 16;

/**
 * The root key wraps every customer master key's material at rest (AES-256-GCM).
 * The raw bytes live in a private field and never appear in logs, JSON or inspection.
 */
export class RootKey {
  readonly #bytes: Buffer;
  readonly #id: Buffer;

  private constructor(bytes: Buffer) {
    if (bytes.length !== AES_KEY_BYTES) {
      throw new Error(`the root key must be ${AES_KEY_BYTES} bytes (64 hex characters or 44 base64 characters)`);
    }
    this.#bytes = Buffer.from(bytes);
    this.#id = createHmac('sha256', this.#bytes).update(CHECK_LABEL).digest().subarray(0, ROOT_KEY_ID_BYTES);
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
   * A public fingerprint of the root key (first 8 bytes of an HMAC, hex), which is also its ID
   * in wrapped material. Stored beside the keys so that starting with the wrong root key fails
   * at once instead of at first use.
   */
  checkValue(): string {
    return this.#id.toString('hex');
  }

  /**
   * Seals key material for storage: 0x01 ‖ this key's ID ‖ nonce ‖ sealed ‖ tag. The header
   * and the owner are bound as associated data, so material cannot be moved to another key.
   */
  wrap(material: Buffer, owner: KeyMaterialOwner, random: RandomBytes = systemRandomBytes): Buffer {
    // Only 32-byte material: format 0 is told apart from format 1 by its length.
    if (material.length !== AES_KEY_BYTES) throw new Error(`the root key wraps ${AES_KEY_BYTES}-byte key material`);
    const header = Buffer.concat([Buffer.of(WRAPPED_MATERIAL_FORMAT), this.#id]);
    return Buffer.concat([header, sealAesGcm(this.#bytes, material, wrapAad(WRAP_LABEL, owner, header), random)]);
  }

  /**
   * Opens wrapped material: this key's format 1, or format 0 (no header). undefined if it was
   * altered, moved to another key, or wrapped under another root key.
   */
  unwrap(wrapped: Buffer, owner: KeyMaterialOwner): Buffer | undefined {
    const wrappedBy = wrappingRootKeyId(wrapped);
    if (wrappedBy === 'legacy') return openAesGcm(this.#bytes, wrapped, wrapAad(LEGACY_WRAP_LABEL, owner));
    if (wrappedBy !== this.checkValue()) return undefined;
    const header = wrapped.subarray(0, HEADER_BYTES);
    return openAesGcm(this.#bytes, wrapped.subarray(HEADER_BYTES), wrapAad(WRAP_LABEL, owner, header));
  }

  /**
   * Seals a credential secret (an access key's SK) for storage, in the same format 1 as key
   * material (so rotation reads its root key ID the same way) under its own label, bound to its owner.
   */
  wrapSecret(secret: Buffer, owner: SecretOwner, random: RandomBytes = systemRandomBytes): Buffer {
    // At least 32 bytes: a wrapped secret must never have format 0's length (60 bytes, from 23 here).
    if (secret.length < AES_KEY_BYTES) throw new Error(`the root key wraps secrets of at least ${AES_KEY_BYTES} bytes`);
    const header = Buffer.concat([Buffer.of(WRAPPED_MATERIAL_FORMAT), this.#id]);
    return Buffer.concat([header, sealAesGcm(this.#bytes, secret, secretAad(owner, header), random)]);
  }

  /** Opens what wrapSecret sealed; undefined if altered, moved to another owner, or wrapped under another root key. */
  unwrapSecret(wrapped: Buffer, owner: SecretOwner): Buffer | undefined {
    if (wrappingRootKeyId(wrapped) !== this.checkValue()) return undefined;
    const header = wrapped.subarray(0, HEADER_BYTES);
    return openAesGcm(this.#bytes, wrapped.subarray(HEADER_BYTES), secretAad(owner, header));
  }

  /**
   * Why this key cannot have come from a random source (too few distinct byte values: all zero,
   * one repeated byte, a short repeated pattern), or undefined. Says nothing of the bytes themselves.
   */
  lowEntropyReason(): string | undefined {
    const distinct = new Set(this.#bytes).size;
    if (distinct >= ROOT_KEY_MIN_DISTINCT_BYTES) return undefined;
    return `its 32 bytes take only ${distinct} distinct value${distinct === 1 ? '' : 's'} (fewer than ${ROOT_KEY_MIN_DISTINCT_BYTES}: not random)`;
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

function wrapAad(label: string, owner: KeyMaterialOwner, header: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([header, Buffer.from([label, owner.domainId, owner.projectId, owner.keyId].join('\0'), 'utf8')]);
}

function secretAad(owner: SecretOwner, header: Buffer): Buffer {
  return Buffer.concat([header, Buffer.from([SECRET_WRAP_LABEL, owner.domainId, owner.credentialId].join('\0'), 'utf8')]);
}
