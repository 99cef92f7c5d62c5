/**
 * Locks an access key after repeated failed signatures, as Huawei's API gateway does ("AK access
 * failed to reach the limit,forbidden": 5 consecutive failures lock the AK for 5 minutes,
 * kms-facts.md section 6). Per server instance and in memory: instances of one deployment do not
 * share counts, and a restart forgets them. Only access keys that exist are tracked, and at most
 * `maxTracked` of them (the least recently failed is forgotten first), so memory stays bounded
 * whatever a client sends.
 */
export interface FailureThrottleOptions {
  readonly maxFailures?: number;
  readonly lockMs?: number;
  readonly maxTracked?: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

interface FailureCount {
  failures: number;
  /** When the lock ends (epoch ms); 0 while not locked. */
  lockedUntil: number;
}

export class FailureThrottle {
  readonly #maxFailures: number;
  readonly #lockMs: number;
  readonly #maxTracked: number;
  readonly #now: () => number;
  // A Map iterates in insertion order: re-inserting on each failure keeps the oldest first.
  readonly #counts = new Map<string, FailureCount>();

  constructor(options: FailureThrottleOptions) {
    this.#maxFailures = options.maxFailures ?? 5;
    this.#lockMs = options.lockMs ?? 5 * 60_000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#now = options.now;
  }

  /** Whether the access key is locked now. An expired lock is forgotten (its count starts again). */
  isLocked(accessKeyId: string): boolean {
    const count = this.#counts.get(accessKeyId);
    if (!count || count.lockedUntil === 0) return false;
    if (this.#now() < count.lockedUntil) return true;
    this.#counts.delete(accessKeyId);
    return false;
  }

  /** Counts a failure; the `maxFailures`-th in a row locks the key for `lockMs`. */
  recordFailure(accessKeyId: string): void {
    const count = this.#counts.get(accessKeyId) ?? { failures: 0, lockedUntil: 0 };
    this.#counts.delete(accessKeyId);
    count.failures += 1;
    if (count.failures >= this.#maxFailures) count.lockedUntil = this.#now() + this.#lockMs;
    this.#counts.set(accessKeyId, count);
    if (this.#counts.size > this.#maxTracked) this.#counts.delete(this.#counts.keys().next().value!);
  }

  /** A verified signature ends the run of failures. */
  recordSuccess(accessKeyId: string): void {
    this.#counts.delete(accessKeyId);
  }

  /** How many access keys are tracked (for tests of the bound). */
  get size(): number {
    return this.#counts.size;
  }
}
