import { GatewayAuthError, REASONS } from './gateway-error';

/** The algorithm name every official SDK writes first in `Authorization`. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
const PREFIX = `${SIGNING_ALGORITHM} `;

/** What a signed request's `Authorization` header claims. */
export interface SignatureClaim {
  readonly accessKeyId: string;
  /** Lower-case header names, in the order the signer listed them (the canonical headers follow it). */
  readonly signedHeaders: readonly string[];
  /** The `SignedHeaders` value as sent, for the canonical request. */
  readonly signedHeadersText: string;
  /** The 32-byte HMAC the caller sent. */
  readonly signature: Buffer;
}

const ACCESS_KEY_ID = /^[A-Za-z0-9_.-]{1,128}$/;
// Lower-case header names (RFC 9110 tokens), `;`-separated; bounded so a header cannot make us loop long.
const SIGNED_HEADERS = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}(?:;[a-z0-9!#$%&'*+.^_`|~-]{1,64}){0,63}$/;
const SIGNATURE = /^[0-9a-fA-F]{64}$/;
const PARAM = /^\s*(Access|SignedHeaders|Signature)=([^,\s]*)\s*$/;
// The form every official SDK writes, matched in one step; anything else takes the general parse.
const SDK_FORM = /^SDK-HMAC-SHA256 Access=([^,\s]*), SignedHeaders=([^,\s]*), Signature=([^,\s]*)$/;

/** Whether `Authorization` carries an SDK signature (other schemes are not credentials here). */
export function isSignedRequest(authorization: string | undefined): authorization is string {
  return authorization !== undefined && authorization.startsWith(PREFIX);
}

/** Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` (each once, any order); 401 when malformed. */
export function parseAuthorization(authorization: string): SignatureClaim {
  const sdkForm = SDK_FORM.exec(authorization);
  const params = sdkForm ? undefined : parseParams(authorization);
  const accessKeyId = sdkForm ? sdkForm[1]! : (params!.get('Access') ?? '');
  const signedHeadersText = sdkForm ? sdkForm[2]! : (params!.get('SignedHeaders') ?? '');
  const signature = sdkForm ? sdkForm[3]! : (params!.get('Signature') ?? '');
  if (!ACCESS_KEY_ID.test(accessKeyId) || !SIGNED_HEADERS.test(signedHeadersText) || !SIGNATURE.test(signature)) {
    throw new GatewayAuthError(REASONS.malformed);
  }
  const signedHeaders = signedHeadersText.split(';');
  if (new Set(signedHeaders).size !== signedHeaders.length) throw new GatewayAuthError(REASONS.malformed);
  return { accessKeyId, signedHeaders, signedHeadersText, signature: Buffer.from(signature, 'hex') };
}

/** `Name=value` parameters separated by commas, each name once. */
function parseParams(authorization: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of authorization.slice(PREFIX.length).split(',')) {
    const match = PARAM.exec(part);
    if (!match || params.has(match[1]!)) throw new GatewayAuthError(REASONS.malformed);
    params.set(match[1]!, match[2]!);
  }
  return params;
}
