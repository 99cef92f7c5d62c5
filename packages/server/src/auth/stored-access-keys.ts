import { inspect } from 'node:util';
import { ACCESS_KEY_ID_PATTERN, KmsError, type LiveAccessKey } from '@openkms/core';
import type { AccessKeyCredential, AccessKeyResolver } from './access-key-resolver';

/** Where live access keys come from: the store, through the core's AccessKeyService (which opens the SK). */
export interface AccessKeySource {
  findLive(accessKeyId: string): Promise<LiveAccessKey | undefined>;
}

export interface StoredAccessKeysOptions {
  readonly source: AccessKeySource;
  /**
   * How long an answer (a live key, or "no such live key") is reused, in milliseconds. It bounds
   * how long a revoked key keeps working on an instance that saw it just before (default 2000).
   */
  readonly cacheMs?: number;
  /** Most live keys kept (default 10,000); the oldest answer goes first. */
  readonly maxCachedKeys?: number;
  /** Most unknown or revoked access key IDs remembered (default 10,000), so guessing cannot grow memory. */
  readonly maxCachedMisses?: number;
  /** Store lookups at once (default 4): a flood of unknown IDs costs the database at most this many queries in flight. */
  readonly maxConcurrentLookups?: number;
  /** Lookups that may wait for a turn (default 1,000); beyond them a lookup fails with 503 KMS.0104 instead of queueing. */
  readonly maxWaitingLookups?: number;
  /** Milliseconds, monotonic enough for expiry; injectable for tests. */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly credential: AccessKeyCredential | undefined;
  readonly expiresAt: number;
}

export const DEFAULT_ACCESS_KEY_CACHE_MS = 2000;

/**
 * The AccessKeyResolver over the store. Every instance reads the same store, and each answer
 * is reused only for `cacheMs`, counted from when its lookup began: a key revoked on one
 * instance is refused by every instance within that time, without a restart. The cost of
 * unknown IDs is bounded three ways: malformed IDs never reach the store, misses are
 * remembered (in a bounded table) like hits, and store lookups run a few at a time, with
 * concurrent lookups of one ID sharing a query.
 */
export class StoredAccessKeys implements AccessKeyResolver {
  readonly #source: AccessKeySource;
  readonly #cacheMs: number;
  readonly #maxHits: number;
  readonly #maxMisses: number;
  readonly #maxConcurrent: number;
  readonly #maxWaiting: number;
  readonly #now: () => number;
  readonly #hits = new Map<string, CacheEntry>();
  readonly #misses = new Map<string, CacheEntry>();
  readonly #inFlight = new Map<string, Promise<AccessKeyCredential | undefined>>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(options: StoredAccessKeysOptions) {
    this.#source = options.source;
    this.#cacheMs = options.cacheMs ?? DEFAULT_ACCESS_KEY_CACHE_MS;
    this.#maxHits = options.maxCachedKeys ?? 10_000;
    this.#maxMisses = options.maxCachedMisses ?? 10_000;
    this.#maxConcurrent = options.maxConcurrentLookups ?? 4;
    this.#maxWaiting = options.maxWaitingLookups ?? 1000;
    this.#now = options.now ?? (() => performance.now());
    if (!(this.#cacheMs >= 0) || this.#maxConcurrent < 1 || this.#maxHits < 0 || this.#maxMisses < 0 || this.#maxWaiting < 0) {
      throw new Error('StoredAccessKeys: cacheMs and the limits must be non-negative (maxConcurrentLookups at least 1)');
    }
  }

  async find(accessKeyId: string): Promise<AccessKeyCredential | undefined> {
    if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId)) return undefined;
    const now = this.#now();
    for (const table of [this.#hits, this.#misses]) {
      const entry = table.get(accessKeyId);
      if (entry === undefined) continue;
      if (entry.expiresAt > now) return entry.credential;
      table.delete(accessKeyId);
    }
    const pending = this.#inFlight.get(accessKeyId);
    if (pending) return pending;
    const lookup = this.#lookUp(accessKeyId, now).finally(() => this.#inFlight.delete(accessKeyId));
    this.#inFlight.set(accessKeyId, lookup);
    return lookup;
  }

  /** Forgets every cached answer (for tests and for an operator's reload). */
  clear(): void {
    this.#hits.clear();
    this.#misses.clear();
  }

  /** `startedAt`: when the lookup was asked for. Expiry counts from then, so an answer never outlives cacheMs after the store gave it. */
  async #lookUp(accessKeyId: string, startedAt: number): Promise<AccessKeyCredential | undefined> {
    await this.#turn();
    try {
      const live = await this.#source.findLive(accessKeyId);
      const credential = live && shieldedCredential(live);
      if (this.#cacheMs > 0) {
        const table = credential ? this.#hits : this.#misses;
        const limit = credential ? this.#maxHits : this.#maxMisses;
        table.delete(accessKeyId);
        // Map keeps insertion order: the first entry is the oldest answer.
        while (table.size >= limit && table.size > 0) table.delete(table.keys().next().value!);
        if (limit > 0) table.set(accessKeyId, { credential, expiresAt: startedAt + this.#cacheMs });
      }
      return credential;
    } finally {
      this.#done();
    }
  }

  async #turn(): Promise<void> {
    if (this.#running < this.#maxConcurrent) {
      this.#running++;
      return;
    }
    if (this.#waiting.length >= this.#maxWaiting) {
      throw new KmsError('KMS.0104', 'Too many access key lookups at once; retry shortly.');
    }
    // The finishing lookup hands its turn over directly, so #running stays counted.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #done(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

/**
 * The credential as a frozen object whose SK never shows when it is serialised or inspected
 * (a log line or an error that carries the whole object shows `[redacted]`); reading
 * `secretKey` still gives the SK. The guards are non-enumerable, so the object's own fields
 * are exactly the interface's.
 */
function shieldedCredential(live: LiveAccessKey): AccessKeyCredential {
  const credential: AccessKeyCredential = {
    accessKeyId: live.accessKeyId,
    name: live.name,
    secretKey: live.secretKey,
    domainId: live.domainId,
    projects: Object.freeze([...live.projects]),
  };
  const shown = () => ({ ...credential, secretKey: '[redacted]' });
  Object.defineProperty(credential, 'toJSON', { value: shown });
  Object.defineProperty(credential, inspect.custom, { value: () => shown() });
  return Object.freeze(credential);
}
