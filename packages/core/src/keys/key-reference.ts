/**
 * How create-datakey names a key: a key ID, `alias/NAME`, or the alias URN
 * `kms:<region>:<domain_id>:alias:<NAME>`.
 */
export type KeyReference =
  | { readonly kind: 'id'; readonly keyId: string }
  | { readonly kind: 'alias'; readonly alias: string }
  | { readonly kind: 'urn'; readonly region: string; readonly domainId: string; readonly alias: string };

const KEY_ID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
const ALIAS = /^alias\/([a-zA-Z0-9:/_-]{1,255})$/;
const URN = /^kms:([a-zA-Z0-9_-]{1,64}):([a-zA-Z0-9]{1,64}):alias:([a-zA-Z0-9:/_-]{1,255})$/;

/** Parses a key reference; undefined when it is none of the three forms (KMS.0205). */
export function parseKeyReference(text: string): KeyReference | undefined {
  if (KEY_ID.test(text)) return { kind: 'id', keyId: text };
  const alias = ALIAS.exec(text);
  if (alias) return { kind: 'alias', alias: alias[1]! };
  const urn = URN.exec(text);
  if (urn) return { kind: 'urn', region: urn[1]!, domainId: urn[2]!, alias: urn[3]! };
  return undefined;
}
