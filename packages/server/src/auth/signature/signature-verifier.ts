import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { KmsError } from '@openkms/core';
import type { AccessKeyCredential, AccessKeyResolver } from '../access-key-resolver';
import type { SignatureClaim } from './authorization-header';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUris,
  EMPTY_BODY_SHA256,
  sha256Hex,
  stringToSign,
  UNSIGNED_PAYLOAD,
} from './canonical-request';
import { FailureThrottle } from './failure-throttle';
import { GatewayAuthError, REASONS } from './gateway-error';

/**
 * How far `X-Sdk-Date` may be from the server's clock, either way. Huawei's API request signing
 * guide: "If the time difference exceeds 15 minutes, API Gateway will reject the request"
 * (https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-provide01.html).
 */
export const DATE_SKEW_MS = 15 * 60_000;

/** A signed request whose headers passed: the body (or its absence) is all that is left to check. */
export interface PendingSignature {
  readonly credential: AccessKeyCredential;
  /** Checks the signature over the raw body bytes (undefined: no body); throws GatewayAuthError (401) on a mismatch. */
  verifyBody(rawBody: Buffer | undefined): void;
}

export interface SignatureVerifierOptions {
  /** Where access keys are looked up; without one, every access key is unknown. */
  readonly accessKeys?: AccessKeyResolver;
  /** The server's clock, milliseconds since the epoch. */
  readonly now: () => number;
  readonly throttle?: FailureThrottle;
}

/**
 * Verifies Huawei `SDK-HMAC-SHA256` signatures in two steps, so a request can be refused before
 * its body is read: `checkHeaders` (the Authorization header, X-Sdk-Date, the access key, its
 * lock, the date window, the project), then `verifyBody` of the answer (the HMAC over the
 * canonical request with the body's hash, compared in constant time).
 */
export class SignatureVerifier {
  readonly #accessKeys: AccessKeyResolver | undefined;
  readonly #now: () => number;
  readonly #throttle: FailureThrottle;

  constructor(options: SignatureVerifierOptions) {
    this.#accessKeys = options.accessKeys;
    this.#now = options.now;
    this.#throttle = options.throttle ?? new FailureThrottle({ now: options.now });
  }

  /**
   * The header-level checks, for a request whose `Authorization` header parsed into `claim`
   * (parseAuthorization) and whose URL names `projectId`. 401 APIGW.0301 for a bad credential, 403 KMS.0305 for a project the
   * access key may not use (as a token for another project is answered).
   */
  async checkHeaders(req: IncomingMessage, claim: SignatureClaim, projectId: string): Promise<PendingSignature> {
    if (req.headers['x-security-token'] !== undefined) throw new GatewayAuthError(REASONS.securityToken);
    const sdkDate = req.headers['x-sdk-date'];
    if (typeof sdkDate !== 'string' || sdkDate === '') throw new GatewayAuthError(REASONS.missingDate);
    const signedAt = parseSdkDate(sdkDate);
    if (signedAt === undefined) throw new GatewayAuthError(REASONS.badDate);
    // `host` is not required: the Go SDK core signs only the headers it sets (Content-Type,
    // User-Agent, X-Project-Id, X-Sdk-Date), never Host, and the cloud gateway accepts that.
    let headerLines = '';
    for (const name of claim.signedHeaders) {
      const value = req.headers[name];
      if (value === undefined) throw new GatewayAuthError(REASONS.missingSignedHeader(name));
      // Node has already trimmed the value, as the SDKs' signers trim what they sign.
      headerLines += `${name}:${Array.isArray(value) ? value.join(',') : value}\n`;
    }

    const credential = await this.#accessKeys?.find(claim.accessKeyId);
    if (!credential) throw new GatewayAuthError(REASONS.unknownKey);
    if (this.#throttle.isLocked(claim.accessKeyId)) throw new GatewayAuthError(REASONS.locked);
    if (Math.abs(this.#now() - signedAt) > DATE_SKEW_MS) throw this.#failure(claim, REASONS.expired);

    const sentProject = req.headers['x-project-id'];
    if (sentProject !== undefined && sentProject !== projectId) {
      throw new KmsError('KMS.0305', 'X-Project-Id does not match the project in the URL.');
    }
    if (!credential.projects.includes(projectId)) throw new KmsError('KMS.0305', 'The access key may not be used on this project.');

    const url = req.url ?? '/';
    const originalUrl = (req as { originalUrl?: string }).originalUrl ?? url;
    const queryAt = originalUrl.indexOf('?');
    const query = canonicalQuery(queryAt < 0 ? '' : originalUrl.slice(queryAt + 1));
    // Everything but the payload hash is known now; the body adds the last line.
    const prefixes =
      query === undefined
        ? []
        : canonicalUris(queryAt < 0 ? originalUrl : originalUrl.slice(0, queryAt)).map((uri) =>
            canonicalRequest({
              method: req.method ?? '',
              uri,
              query,
              headers: headerLines,
              signedHeaders: claim.signedHeadersText,
              payloadHash: '',
            }),
          );
    const contentSha256 = req.headers['x-sdk-content-sha256'];
    return {
      credential,
      verifyBody: (rawBody) =>
        this.#verifyBody(claim, credential, sdkDate, prefixes, typeof contentSha256 === 'string' ? contentSha256 : undefined, rawBody),
    };
  }

  #verifyBody(
    claim: SignatureClaim,
    credential: AccessKeyCredential,
    sdkDate: string,
    prefixes: readonly string[],
    contentSha256: string | undefined,
    rawBody: Buffer | undefined,
  ): void {
    let payloadHash: string;
    if (contentSha256 === UNSIGNED_PAYLOAD) {
      payloadHash = UNSIGNED_PAYLOAD;
    } else {
      payloadHash = rawBody && rawBody.length > 0 ? sha256Hex(rawBody) : EMPTY_BODY_SHA256;
      if (contentSha256 !== undefined) {
        if (contentSha256.toLowerCase() !== payloadHash) throw this.#failure(claim, REASONS.contentSha256);
        payloadHash = contentSha256;
      }
    }
    for (const prefix of prefixes) {
      const expected = createHmac('sha256', credential.secretKey)
        .update(stringToSign(sdkDate, prefix + payloadHash), 'utf8')
        .digest();
      if (timingSafeEqual(expected, claim.signature)) {
        this.#throttle.recordSuccess(claim.accessKeyId);
        return;
      }
    }
    throw this.#failure(claim, REASONS.mismatch);
  }

  /** A failure that counts toward the access key's lock. */
  #failure(claim: SignatureClaim, reason: string): GatewayAuthError {
    this.#throttle.recordFailure(claim.accessKeyId);
    return new GatewayAuthError(reason);
  }
}

/** `YYYYMMDDTHHMMSSZ` as epoch milliseconds, or undefined when it is not a real UTC time. */
export function parseSdkDate(text: string): number | undefined {
  if (text.length !== 16 || text[8] !== 'T' || text[15] !== 'Z') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 4, 6);
  const day = digits(text, 6, 8);
  const hour = digits(text, 9, 11);
  const minute = digits(text, 11, 13);
  const second = digits(text, 13, 15);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Day 0 of the next month is the last day of this one.
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The decimal number in text[from, to), or -1 when a character is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
