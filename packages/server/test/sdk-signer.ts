import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import type { IHttpRequest } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest';

/**
 * Requests signed by the published Huawei Cloud SDK core (3.1.211), never by our own code, so
 * the verifier is judged against the official signer.
 */

/** The host the SDK believes it calls; the requests carry it in `Host`. */
export const SDK_HOST = 'kms.test-region-1.example.com';
const ENDPOINT = `https://${SDK_HOST}`;

export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent on the wire. */
  readonly url: string;
  /** Every header the SDK would send (lower-case names), Authorization included. */
  readonly headers: Record<string, string>;
  /** The body as sent: JSON.stringify of the SDK's data, as its HTTP client writes it. */
  readonly body: string | undefined;
}

/** The query as the SDK's HTTP client (axios) writes scalar parameters: form encoding, space as `+`. */
function wireQuery(query: Readonly<Record<string, string>> | undefined): string {
  if (!query || Object.keys(query).length === 0) return '';
  return `?${new URLSearchParams(query as Record<string, string>).toString()}`;
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

export interface SdkCall {
  readonly ak: string;
  readonly sk: string;
  /** The credentials' project: the SDK puts it in the path (`{project_id}`) and in X-Project-Id. */
  readonly projectId: string;
  /** A KMS operation (`create-key`) or a whole path template. */
  readonly operation?: string;
  readonly url?: string;
  readonly method?: string;
  readonly body?: unknown;
  /** `application/json` hashes the body; anything else (the KMS models' `application/json;charset=UTF-8`) makes the SDK send UNSIGNED-PAYLOAD. */
  readonly contentType?: string;
  /** X-Sdk-Date (YYYYMMDDTHHMMSSZ); the SDK signs it as given. */
  readonly date: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly securityToken?: string;
}

/** What the SDK's service client does for a call: BasicCredentials.processAuthRequest, which adds X-Project-Id and calls AKSKSigner. */
export async function signWithSdkCore(call: SdkCall): Promise<SignedRequest> {
  const credentials = new BasicCredentials().withAk(call.ak).withSk(call.sk).withProjectId(call.projectId);
  if (call.securityToken !== undefined) credentials.withSecurityToken(call.securityToken);
  const request = {
    endpoint: ENDPOINT,
    url: call.url ?? `/v1.0/{project_id}/kms/${call.operation ?? 'list-keys'}`,
    method: call.method ?? 'POST',
    headers: { 'Content-Type': call.contentType ?? 'application/json', 'X-Sdk-Date': call.date, ...call.headers },
    data: call.body,
    queryParams: call.query ?? {},
  } as unknown as IHttpRequest;
  const signed = await credentials.processAuthRequest(undefined as unknown as HcClient, request);
  return {
    method: signed.method!,
    url: `${signed.url!}${wireQuery(call.query)}`,
    headers: lowerCaseKeys(signed.headers as Record<string, unknown>),
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  };
}

/**
 * AKSKSigner.sign over exactly the headers given (plus host and X-Sdk-Date, which it always
 * signs): the header sets other SDKs sign (Python signs every header it sends, User-Agent and
 * Host too). `unsignedHeaders` are added after signing, as the Node.js SDK adds User-Agent.
 */
export function signHeaderSet(call: {
  ak: string;
  sk: string;
  path: string;
  date: string;
  body?: unknown;
  signedHeaders: Readonly<Record<string, string>>;
  unsignedHeaders?: Readonly<Record<string, string>>;
}): SignedRequest {
  const request = {
    endpoint: `${ENDPOINT}${call.path}`,
    method: 'POST',
    headers: { 'X-Sdk-Date': call.date, ...call.signedHeaders },
    data: call.body,
    queryParams: {},
  } as unknown as IHttpRequest;
  const credential = { getAk: () => call.ak, getSk: () => call.sk } as unknown as Parameters<typeof AKSKSigner.sign>[1];
  const headers = AKSKSigner.sign(request, credential) as Record<string, unknown>;
  return {
    method: 'POST',
    url: call.path,
    headers: { ...lowerCaseKeys(headers), ...lowerCaseKeys(call.unsignedHeaders ?? {}) },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  };
}

/** A UTC time in X-Sdk-Date form. */
export function sdkDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** AKSKSigner's building blocks (protected in its typings, public at run time). */
interface SignerParts {
  CanonicalURI(path: string): string;
  buildCanonicalHeaders(headers: Record<string, string>): string;
  buildCanonicalRequest(method: string, uri: string, query: string, headers: string, signedHeaders: string, payloadHash: string): string;
  Hex(text: string): string;
  getStringToSign(algorithm: string, date: string, canonicalRequestHash: string): string;
  hmacSHA256(secretKey: string, text: string): string;
}

/**
 * A request signed over exactly `headers`, `host` not among them, as the Go SDK core signs
 * (it signs the headers it sets: Content-Type, User-Agent, X-Project-Id, X-Sdk-Date; never
 * Host). AKSKSigner.sign always adds host, so this composes the signature from AKSKSigner's own
 * parts: canonical URI, canonical headers, canonical request, hashes, string to sign and HMAC.
 */
export function signWithoutHost(call: {
  ak: string;
  sk: string;
  path: string;
  date: string;
  body: unknown;
  headers: Record<string, string>;
}): SignedRequest {
  const parts = AKSKSigner as unknown as SignerParts;
  const headers = { ...call.headers, 'X-Sdk-Date': call.date };
  const signedHeaders = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort()
    .join(';');
  const body = JSON.stringify(call.body);
  const canonical = parts.buildCanonicalRequest(
    'POST',
    parts.CanonicalURI(call.path),
    '',
    parts.buildCanonicalHeaders(headers),
    signedHeaders,
    parts.Hex(body),
  );
  const signature = parts.hmacSHA256(call.sk, parts.getStringToSign('SDK-HMAC-SHA256', call.date, parts.Hex(canonical)));
  return {
    method: 'POST',
    url: call.path,
    headers: {
      ...lowerCaseKeys(headers),
      host: SDK_HOST,
      authorization: `SDK-HMAC-SHA256 Access=${call.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body,
  };
}
