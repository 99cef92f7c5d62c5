import type { CheckContext } from './context';

/** RFC 2119 level: a failing MUST check fails the run; a failing SHOULD check is reported only. */
export type Level = 'MUST' | 'SHOULD';

export const AREAS = ['create-key', 'create-datakey', 'errors', 'auth', 'semantics', 'isolation', 'robustness', 'envelope', 'key-listing'] as const;
export type Area = (typeof AREAS)[number];

/**
 * Profiles: `core` is the two operations of the source documents (create-key, create-datakey);
 * `extended` the operations that close the envelope (decrypt-datakey, encrypt-datakey,
 * describe-key, list-keys); `all` both.
 */
export const PROFILES = ['core', 'extended', 'all'] as const;
export type Profile = (typeof PROFILES)[number];

/** The areas of the extended profile; every other area is core. */
export const EXTENDED_AREAS: readonly Area[] = ['envelope', 'key-listing'];

export function profileOf(area: Area): 'core' | 'extended' {
  return EXTENDED_AREAS.includes(area) ? 'extended' : 'core';
}

export interface Check {
  /** Stable ID, used by --only, expectations files and reports. Never reuse or rename one. */
  readonly id: string;
  readonly level: Level;
  readonly area: Area;
  readonly title: string;
  /** The spec rule and source-document line the check enforces. */
  readonly reference: string;
  /** Needs the second project/token pair; reported as skipped without it. */
  readonly needsOtherProject?: boolean;
  run(context: CheckContext): Promise<void>;
}

/** A check's verdict that the server broke the rule; the message says what was seen. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}
