import { createHash, hash } from 'node:crypto';
import { SIGNING_ALGORITHM } from './authorization-header';

/**
 * The canonical request and string to sign of Huawei's `SDK-HMAC-SHA256` scheme, as the
 * official SDKs build them (facts from the Node.js SDK core 3.1.211 `AKSKSigner`, the Python
 * SDK core's signer and Huawei's "API request signing guide"):
 *
 *   METHOD \n CanonicalURI \n CanonicalQuery \n (name:value \n)* \n SignedHeaders \n HexSHA256(body)
 *
 * and `SDK-HMAC-SHA256 \n X-Sdk-Date \n HexSHA256(canonical request)`.
 */

/** SHA-256 of an empty body, the payload hash of a request without one. */
export const EMPTY_BODY_SHA256 = createHash('sha256').digest('hex');
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const RESERVED_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;

/**
 * Percent-encodes everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`),
 * upper-case hex over UTF-8, as every SDK's signer does. encodeURIComponent leaves `!'()*` too.
 * Throws URIError on a lone surrogate.
 */
export function signerEncode(text: string): string {
  return encodeURIComponent(text).replace(RESERVED_BY_ENCODE_URI_COMPONENT, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// A path of unreserved characters and `/` is its own encoding (every KMS path with a plain project ID).
const CANONICAL_PATH = /^[A-Za-z0-9\-._~/]*$/;

function encodeSegments(path: string): string {
  const uri = CANONICAL_PATH.test(path) ? path : path.split('/').map(signerEncode).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/**
 * The canonical URIs a signer may have computed for the path as it arrived (percent-encoded, no
 * query). The SDKs differ on a path that holds `%`: the Node.js core encodes the segments as
 * they are on the wire (so `%` becomes `%25`), the Python core and the gateway's own signers
 * decode the path first. Both are answers only when the path holds `%`; a KMS path never does
 * unless a project ID needs encoding.
 */
export function canonicalUris(rawPath: string): string[] {
  const asSent = encodeSegments(rawPath);
  if (!rawPath.includes('%')) return [asSent];
  let decoded: string;
  try {
    decoded = encodeSegments(decodeURIComponent(rawPath));
  } catch {
    return [asSent];
  }
  return decoded === asSent ? [asSent] : [asSent, decoded];
}

/**
 * The canonical query: every `name=value` pair decoded (`+` is a space, as the SDKs' HTTP clients send one), sorted by name then value, each
 * re-encoded with the signer's encoding, joined with `&`. A bare `name` counts as `name=`.
 * Undefined when the query is not valid percent-encoding (no signer could have produced it).
 */
export function canonicalQuery(rawQuery: string): string | undefined {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  try {
    for (const part of rawQuery.split('&')) {
      if (part === '') continue;
      const equals = part.indexOf('=');
      const name = decodeQueryText(equals < 0 ? part : part.slice(0, equals));
      const value = equals < 0 ? '' : decodeQueryText(part.slice(equals + 1));
      pairs.push([name, value]);
    }
  } catch {
    return undefined;
  }
  // The Node.js and Python signers sort the decoded names, then the values, before encoding.
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  try {
    return pairs.map(([name, value]) => `${signerEncode(name)}=${signerEncode(value)}`).join('&');
  } catch {
    return undefined;
  }
}

const PLUS = /\+/g;

function decodeQueryText(text: string): string {
  return decodeURIComponent(text.replace(PLUS, ' '));
}

export interface CanonicalParts {
  readonly method: string;
  readonly uri: string;
  readonly query: string;
  /** `name:value\n` for each signed header, in the SignedHeaders order. */
  readonly headers: string;
  readonly signedHeaders: string;
  readonly payloadHash: string;
}

export function canonicalRequest(parts: CanonicalParts): string {
  return `${parts.method}\n${parts.uri}\n${parts.query}\n${parts.headers}\n${parts.signedHeaders}\n${parts.payloadHash}`;
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/** Hex SHA-256; the one-shot `crypto.hash` costs a fraction of a Hash object per call. */
export function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}
