import { ALIAS_NAME_SOURCE } from './key-alias';
import { KEY_ID_PATTERN } from './key-id';

/**
 * How create-datakey names a key: a key ID, `alias/NAME`, or the alias URN
 * `kms:<region>:<domain_id>:alias:<NAME>`.
 */
export type KeyReference =
  | { readonly kind: 'id'; readonly keyId: string }
  | { readonly kind: 'alias'; readonly alias: string }
  | { readonly kind: 'urn'; readonly region: string; readonly domainId: string; readonly alias: string };

/** Most characters in a region name (alias URNs, describe-key's `realm`). */
export const REGION_MAX_CHARS = 64;
const REGION_SOURCE = `[a-zA-Z0-9_-]{1,${REGION_MAX_CHARS}}`;
const URN_DOMAIN_SOURCE = '[a-zA-Z0-9]{1,64}';
const KEY_ID_SOURCE = KEY_ID_PATTERN.source.slice(1, -1);

const ALIAS = new RegExp(`^alias/(${ALIAS_NAME_SOURCE})$`);
const URN = new RegExp(`^kms:(${REGION_SOURCE}):(${URN_DOMAIN_SOURCE}):alias:(${ALIAS_NAME_SOURCE})$`);

/** Any of the three forms: what the spec's `key_id` request fields accept (pinned by spec-limits.spec.ts). */
export const KEY_REFERENCE_PATTERN = new RegExp(
  `^(${KEY_ID_SOURCE}|alias/${ALIAS_NAME_SOURCE}|kms:${REGION_SOURCE}:${URN_DOMAIN_SOURCE}:alias:${ALIAS_NAME_SOURCE})$`,
);

/** Parses a key reference; undefined when it is none of the three forms (KMS.0205). */
export function parseKeyReference(text: string): KeyReference | undefined {
  if (KEY_ID_PATTERN.test(text)) return { kind: 'id', keyId: text };
  const alias = ALIAS.exec(text);
  if (alias) return { kind: 'alias', alias: alias[1]! };
  const urn = URN.exec(text);
  if (urn) return { kind: 'urn', region: urn[1]!, domainId: urn[2]!, alias: urn[3]! };
  return undefined;
}
