import { RootKey, wrappingRootKeyId, type KeyMaterialOwner, type SecretOwner } from './root-key';

/** Why wrapped material did not open. */
export type UnwrapFailure =
  /** It names a root key this ring does not hold (a rotation the server was not given the key of). */
  | { readonly reason: 'unknown-root-key'; readonly rootKeyId: string }
  /** Damaged, tampered with, moved to another key, or not wrapped material at all. */
  | { readonly reason: 'failed-authentication' };

/**
 * The root keys a server holds: during a rotation, the new one and the one being retired.
 * Material names the root key that wrapped it, so opening it never guesses, except for
 * format 0 (written before rotation existed), which is tried under each key.
 */
export class RootKeyRing {
  readonly #keys: ReadonlyMap<string, RootKey>;

  constructor(keys: readonly RootKey[]) {
    if (keys.length === 0) throw new Error('a root key ring needs at least one root key');
    this.#keys = new Map(keys.map((key) => [key.checkValue(), key]));
  }

  /** IDs (check values) of the keys held, in the order given, without repeats. */
  get ids(): readonly string[] {
    return [...this.#keys.keys()];
  }

  has(rootKeyId: string): boolean {
    return this.#keys.has(rootKeyId);
  }

  get(rootKeyId: string): RootKey | undefined {
    return this.#keys.get(rootKeyId);
  }

  /** The plain material (the caller must zero it), or why it did not open. */
  unwrap(wrapped: Buffer, owner: KeyMaterialOwner): { readonly material: Buffer } | UnwrapFailure {
    const wrappedBy = wrappingRootKeyId(wrapped);
    if (wrappedBy === undefined) return { reason: 'failed-authentication' };
    const candidates = wrappedBy === 'legacy' ? [...this.#keys.values()] : [this.#keys.get(wrappedBy)];
    if (candidates[0] === undefined) return { reason: 'unknown-root-key', rootKeyId: wrappedBy };
    for (const key of candidates) {
      const material = key?.unwrap(wrapped, owner);
      if (material) return { material };
    }
    return { reason: 'failed-authentication' };
  }

  /** A plain credential secret (the caller must zero it), or why it did not open. Secrets have no format 0. */
  unwrapSecret(wrapped: Buffer, owner: SecretOwner): { readonly secret: Buffer } | UnwrapFailure {
    const wrappedBy = wrappingRootKeyId(wrapped);
    if (wrappedBy === undefined || wrappedBy === 'legacy') return { reason: 'failed-authentication' };
    const key = this.#keys.get(wrappedBy);
    if (key === undefined) return { reason: 'unknown-root-key', rootKeyId: wrappedBy };
    const secret = key.unwrapSecret(wrapped, owner);
    return secret ? { secret } : { reason: 'failed-authentication' };
  }

  toJSON(): string {
    return `[RootKeyRing ${this.ids.join(',')}]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }
}
