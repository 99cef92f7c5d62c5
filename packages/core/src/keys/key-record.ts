/** Key states as the API spells them (strings). */
export const KeyState = {
  WaitingActivation: '1',
  Enabled: '2',
  Disabled: '3',
  PendingDeletion: '4',
  PendingImport: '5',
} as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

/** Where a key's material comes from: made by the service, or imported later (the key starts pending import). */
export const KEY_ORIGINS = ['kms', 'external'] as const;
export type KeyOrigin = (typeof KEY_ORIGINS)[number];

/** Who is asking: the domain and project the caller's token was accepted for, in this region. */
export interface Scope {
  readonly domainId: string;
  readonly projectId: string;
}

/** A customer master key as stored. Material is wrapped under the root key, never plain. */
export interface KeyRecord {
  readonly keyId: string;
  readonly domainId: string;
  readonly projectId: string;
  readonly keyAlias: string;
  readonly keyDescription: string;
  readonly origin: KeyOrigin;
  readonly keyState: KeyState;
  readonly enterpriseProjectId: string;
  /** Epoch milliseconds. */
  readonly creationDate: number;
  /** nonce ‖ sealed material ‖ tag under the root key; null until material exists (origin external). */
  readonly wrappedMaterial: Buffer | null;
  /**
   * Epoch milliseconds after which a key pending deletion (state 4) is purged; null (or absent)
   * in every other state.
   */
  readonly scheduledDeletionDate?: number | null;
  /**
   * Key rotation (docs/key-rotation.md): the wrapped material of versions 2, 3, … oldest first,
   * each wrapped like `wrappedMaterial` (version 1). Absent or empty until the key is rotated.
   */
  readonly rotatedMaterials?: readonly Buffer[];
  /** Epoch ms when automatic rotation was enabled; absent while it is disabled (the default). */
  readonly rotationEnabledAt?: number;
  /** Days between automatic rotations, 30 to 365; absent means the default, 365. */
  readonly rotationIntervalDays?: number;
  /** Epoch ms of the last rotation (automatic or on demand); absent before the first. */
  readonly lastRotationTime?: number;
}

const KEY_STATES: readonly string[] = Object.values(KeyState);

/** Whether a string is one of the key states. */
export function isKeyState(value: string): value is KeyState {
  return KEY_STATES.includes(value);
}

/** The record field for a scheduled deletion date: absent when there is none, as every store returns it. */
export function withScheduledDeletionDate(date: number | null | undefined): { scheduledDeletionDate?: number } {
  return date == null ? {} : { scheduledDeletionDate: date };
}

/** The rotation fields of a stored row, each present only when it differs from the default (as every store returns them). */
export function withRotationFields(row: {
  readonly rotatedMaterials: readonly Buffer[];
  readonly rotationEnabledAt: number | null;
  readonly rotationIntervalDays: number;
  readonly lastRotationTime: number | null;
}): Pick<KeyRecord, 'rotatedMaterials' | 'rotationEnabledAt' | 'rotationIntervalDays' | 'lastRotationTime'> {
  return {
    ...(row.rotatedMaterials.length > 0 ? { rotatedMaterials: row.rotatedMaterials } : {}),
    ...(row.rotationEnabledAt === null ? {} : { rotationEnabledAt: row.rotationEnabledAt }),
    ...(row.rotationIntervalDays === DEFAULT_ROTATION_INTERVAL_DAYS ? {} : { rotationIntervalDays: row.rotationIntervalDays }),
    ...(row.lastRotationTime === null ? {} : { lastRotationTime: row.lastRotationTime }),
  };
}

/** The rotation interval of a key that never set one ("The default rotation interval is 365 days", API reference EnableKeyRotation). */
export const DEFAULT_ROTATION_INTERVAL_DAYS = 365;
