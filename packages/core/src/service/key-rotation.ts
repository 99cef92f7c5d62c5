import { KmsError } from '../errors';
import { FIRST_MATERIAL_VERSION } from '../ciphertext/datakey-blob';
import { DEFAULT_ROTATION_INTERVAL_DAYS, KeyState, type KeyRecord } from '../keys/key-record';
import { DAY_MS } from './key-lifecycle';

/**
 * The rules of key rotation that need no store (docs/key-rotation.md): the interval's range,
 * which keys may rotate, when one is due, and which material version is the newest.
 */

/** Fewest and most days between automatic rotations ("an integer ranging from 30 to 365", API reference UpdateKeyRotationInterval). */
export const ROTATION_INTERVAL_MIN_DAYS = 30;
export const ROTATION_INTERVAL_MAX_DAYS = 365;
export { DEFAULT_ROTATION_INTERVAL_DAYS };
/** How many due keys one read of the automatic rotation takes. */
export const ROTATION_BATCH_SIZE = 100;

/** `rotation_interval` in days, KMS.0308 outside 30 to 365. */
export function checkRotationInterval(days: number): number {
  if (!Number.isSafeInteger(days) || days < ROTATION_INTERVAL_MIN_DAYS || days > ROTATION_INTERVAL_MAX_DAYS) {
    throw new KmsError(
      'KMS.0308',
      `Invalid rotation_interval: it must be an integer from ${ROTATION_INTERVAL_MIN_DAYS} to ${ROTATION_INTERVAL_MAX_DAYS}.`,
    );
  }
  return days;
}

/**
 * "CMKs created using imported key materials and Default Master Keys do not support rotation"
 * (API reference EnableKeyRotation): a key of origin external is KMS.0308. (OpenKMS makes no
 * Default Master Keys: their `/default` aliases are refused at create-key.) Checked after the
 * state machine, so a key pending import answers its state's KMS.0310 first.
 */
export function requireRotatable(key: KeyRecord): void {
  if (key.origin === 'external') throw new KmsError('KMS.0308', 'Keys with imported key material cannot be rotated.');
}

/** The newest of a key's material versions: 1 plus the rotations. */
export function newestMaterialVersion(key: KeyRecord): number {
  return FIRST_MATERIAL_VERSION + (key.rotatedMaterials?.length ?? 0);
}

/** The wrapped material of one version of a key; undefined when the key has no such version. */
export function wrappedMaterialVersion(key: KeyRecord, version: number): Buffer | undefined {
  if (version === FIRST_MATERIAL_VERSION) return key.wrappedMaterial ?? undefined;
  return key.rotatedMaterials?.[version - FIRST_MATERIAL_VERSION - 1];
}

/**
 * Whether automatic rotation is due: rotation enabled, the key enabled, and its interval passed
 * since the later of enabling rotation and the last rotation (on demand ones included). The
 * stores' findKeysDueForRotation applies the same rule in SQL.
 */
export function isDueForRotation(key: KeyRecord, now: number): boolean {
  if (key.keyState !== KeyState.Enabled || key.rotationEnabledAt === undefined) return false;
  const since = Math.max(key.rotationEnabledAt, key.lastRotationTime ?? 0);
  return since + (key.rotationIntervalDays ?? DEFAULT_ROTATION_INTERVAL_DAYS) * DAY_MS <= now;
}

/** get-key-rotation-status's answer, in typed values. */
export interface KeyRotationStatus {
  readonly keyId: string;
  readonly rotationEnabled: boolean;
  readonly rotationIntervalDays: number;
  /** Epoch ms of the last rotation; undefined before the first. */
  readonly lastRotationTime: number | undefined;
  readonly numberOfRotations: number;
}

export function rotationStatusOf(key: KeyRecord): KeyRotationStatus {
  return {
    keyId: key.keyId,
    rotationEnabled: key.rotationEnabledAt !== undefined,
    rotationIntervalDays: key.rotationIntervalDays ?? DEFAULT_ROTATION_INTERVAL_DAYS,
    lastRotationTime: key.lastRotationTime,
    numberOfRotations: key.rotatedMaterials?.length ?? 0,
  };
}
