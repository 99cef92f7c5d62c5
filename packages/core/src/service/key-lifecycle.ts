import { KmsError } from '../errors';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { stateRule, targetState, type KeyOperation } from '../keys/key-state-machine';
import type { KeyStore } from '../store/key-store';

/** Fewest and most days a key waits between schedule-key-deletion and its purge (the API's `pending_days`). */
export const PENDING_DAYS_MIN = 7;
export const PENDING_DAYS_MAX = 1096;
export const DAY_MS = 86_400_000;
/** How many keys one purge statement deletes: bounds a statement's time and its lock footprint. */
export const PURGE_BATCH_SIZE = 100;

/** Throws the state machine's refusal for `operation` on `key`, if it refuses. */
export function requireState(operation: KeyOperation, key: KeyRecord): void {
  const rule = stateRule(operation, key.keyState);
  if (!rule.allowed) throw new KmsError(rule.code, rule.message);
}

/**
 * Whether a key pending deletion has reached its date: it is gone for every caller from then
 * on, whether or not a purge has run yet (nothing may use or resurrect it in between).
 */
export function isDueForDeletion(key: KeyRecord, now: number): boolean {
  return key.keyState === KeyState.PendingDeletion && key.scheduledDeletionDate != null && key.scheduledDeletionDate <= now;
}

/**
 * Applies a state-changing operation to a key read a moment ago: the state machine says
 * whether and where to, the store moves it only if no one changed its state meanwhile (a
 * concurrent change answers as the state it made, read again).
 */
export async function transitionKey(
  store: KeyStore,
  scope: Scope,
  operation: KeyOperation,
  read: () => Promise<KeyRecord>,
  scheduledDeletionDate: number | null = null,
): Promise<KeyRecord> {
  // A bounded retry: each failed compare-and-set means another request changed the state.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const key = await read();
    const rule = stateRule(operation, key.keyState);
    if (!rule.allowed) throw new KmsError(rule.code, rule.message);
    const to = targetState(rule, key);
    const date = to === KeyState.PendingDeletion ? scheduledDeletionDate : null;
    if (await store.transitionKeyState(scope, key.keyId, { from: key.keyState, to, scheduledDeletionDate: date })) {
      const { scheduledDeletionDate: _previous, ...rest } = key;
      return date === null ? { ...rest, keyState: to } : { ...rest, keyState: to, scheduledDeletionDate: date };
    }
  }
  throw new KmsError('KMS.0104', 'The key changed state concurrently; retry.');
}

/** `pending_days` as a number of days, KMS.0308 outside `min` (7 unless an operator lowered it) to 1096. */
export function checkPendingDays(days: number, min: number = PENDING_DAYS_MIN): number {
  if (!Number.isSafeInteger(days) || days < min || days > PENDING_DAYS_MAX) {
    throw new KmsError('KMS.0308', `Invalid pending_days: it must be from ${min} to ${PENDING_DAYS_MAX}.`);
  }
  return days;
}

/**
 * Deletes every key whose deletion date has passed, batch by batch, until none is left; resolves
 * the IDs deleted by this call. Safe to run at any time, from any number of servers at once.
 */
export async function purgeDueKeys(store: KeyStore, now: number): Promise<string[]> {
  const purged: string[] = [];
  for (;;) {
    const batch = await store.purgeKeysDueForDeletion(now, PURGE_BATCH_SIZE);
    purged.push(...batch);
    if (batch.length < PURGE_BATCH_SIZE) return purged;
  }
}
