import type { CheckContext } from './context';

/**
 * MUST and SHOULD: what the API documents require (a failing MUST check fails the run; a failing
 * SHOULD check is reported only). REFERENCE: OpenKMS's own stricter choices where the documents
 * leave the choice open (exact codes, unknown fields rejected, check order); run only with
 * `--level reference`, reported apart, and then failing the run like MUST.
 */
export type Level = 'MUST' | 'SHOULD' | 'REFERENCE';
export const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'REFERENCE'];

/** `--level`: which levels run. */
export type LevelOption = 'must' | 'should' | 'reference';
export const LEVEL_OPTIONS: readonly LevelOption[] = ['must', 'should', 'reference'];

/** The areas of the core profile: the source documents' two operations and what every server must get right. */
const CORE_AREAS = ['create-key', 'create-datakey', 'errors', 'auth', 'semantics', 'isolation', 'robustness'] as const;
/** The areas of the extended profile (see PROFILES); each one's operations are optional. */
const EXTENDED_AREA_LIST = [
  'envelope',
  'key-listing',
  'lifecycle',
  'random',
  'key-edits',
  'data',
  'quotas',
  'tags',
  'rotation',
  'versions',
] as const;
export const AREAS = [...CORE_AREAS, ...EXTENDED_AREA_LIST] as const;
export type Area = (typeof AREAS)[number];

/**
 * Profiles: `core` is the two operations of the source documents (create-key, create-datakey),
 * always required; `extended` the operations of the current API reference that close the
 * envelope (decrypt-datakey, encrypt-datakey, describe-key, list-keys) and the later ones
 * (key-edits: update-key-alias/-description; data: create-datakey-without-plaintext,
 * encrypt-data, decrypt-data; random: gen-random; quotas: user-quotas, user-instances; tags: tag
 * management and resource_instances/action; rotation: the five key rotation operations;
 * versions: GET / and GET /{version_id}), each
 * optional: a server that has no such route reports them NOT IMPLEMENTED; `all` (default) both.
 * Lifecycle operations join `extended` as areas as they land.
 */
export const PROFILES = ['core', 'extended', 'all'] as const;
export type Profile = (typeof PROFILES)[number];

/** The areas of the extended profile; every other area is core. */
export const EXTENDED_AREAS: readonly Area[] = EXTENDED_AREA_LIST;

export function profileOf(area: Area): 'core' | 'extended' {
  return EXTENDED_AREAS.includes(area) ? 'extended' : 'core';
}

/**
 * Where a rule comes from. Only a document (`seed`, `error-codes`, `api-reference`) can make a
 * check MUST or SHOULD; `openkms` (our spec's own choices) makes it REFERENCE.
 */
export type AuthorityKind = 'seed' | 'error-codes' | 'api-reference' | 'openkms';

export interface Authority {
  readonly kind: AuthorityKind;
  /** The document and section, e.g. `Creating a CMK (create-key), Request parameters: key_alias`. */
  readonly cite: string;
}

export interface Check {
  /** Stable ID, used by --only, expectations files and reports. Never reuse or rename one. */
  readonly id: string;
  readonly level: Level;
  readonly area: Area;
  readonly title: string;
  /** The documents that make the rule (several when they combine, e.g. a seed and the error-code table). */
  readonly authority: readonly Authority[];
  /**
   * The answers the check accepts for its rejections, as `STATUS CODE` (`KMS.*`: any KMS code), the
   * union over its cases; empty when it checks no error answer.
   */
  readonly acceptedCodes: readonly string[];
  /** The rule in spec/kms.yaml (and OpenKMS docs) the check also corresponds to. */
  readonly reference: string;
  /** Needs the second project/token pair; reported as skipped without it. */
  readonly needsOtherProject?: boolean;
  /**
   * Is about `X-Auth-Token` itself (sends missing, empty or foreign tokens): it runs only when the
   * kit has a token (with needsOtherProject, the second project's too) and is reported as skipped
   * when the kit signs with access keys only. Every other check runs with either credential.
   */
  readonly needsToken?: boolean;
  /** At most how many keys one run of the check creates (the kit states the sum before running). */
  readonly keys: number;
  /**
   * The same check held to OpenKMS's exact choices: the registry adds it as a REFERENCE check with
   * this ID, running `run` in strict mode (exact codes, reference-only cases, the strict validator).
   */
  readonly referenceTwin?: { readonly id: string; readonly acceptedCodes: readonly string[] };
  run(context: CheckContext): Promise<void>;
}

/** A check's verdict that the server broke the rule; the message says what was seen. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

/** An optional operation answered "no such route": the check is NOT IMPLEMENTED, not failed. */
export class NotImplemented extends Error {
  override readonly name = 'NotImplemented';
}

/** `Creating a CMK (create-key), Request parameters` and friends: the seed documents as API documents. */
export const SEED = {
  createKey: 'Creating a CMK (create-key)',
  createKeyCn: '创建密钥 (create-key, newer revision)',
  createDatakey: 'Creating a DEK (create-datakey)',
} as const;

export const seed = (cite: string): Authority => ({ kind: 'seed', cite });
export const errorTable = (cite: string): Authority => ({ kind: 'error-codes', cite: `public error-code table: ${cite}` });
export const apiReference = (cite: string): Authority => ({ kind: 'api-reference', cite: `KMS API reference: ${cite}` });
export const openkms = (cite: string): Authority => ({ kind: 'openkms', cite: `OpenKMS reference behaviour: ${cite}` });

/** One line for tables and reports. */
export function authorityText(authority: readonly Authority[]): string {
  return authority.map((a) => a.cite).join('; ');
}
