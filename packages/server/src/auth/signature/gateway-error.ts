import type { Response } from 'express';
import { maybeRequestState } from '../../http/request-state';

/** The code Huawei's API gateway answers for a refused IAM credential (kms-facts.md section 6). */
export const GATEWAY_AUTH_ERROR_CODE = 'APIGW.0301';

/**
 * A signed request refused before it reaches KMS. Huawei's API gateway, not the KMS service,
 * answers these, with `401` and a flat body `{"error_code":"APIGW.0301","error_msg":…,"request_id":…}`
 * (not the KMS `{"error":{…}}` envelope). The reason says what to fix, never the expected signature.
 */
export class GatewayAuthError extends Error {
  readonly code = GATEWAY_AUTH_ERROR_CODE;
  readonly httpStatus = 401;

  constructor(readonly reason: string) {
    super(`Incorrect IAM authentication information: ${reason}`);
    this.name = 'GatewayAuthError';
  }
}

/** Writes the gateway's 401 body; the one writer of that body, as sendKmsError is of the KMS one. */
export function sendGatewayError(res: Response, error: GatewayAuthError): void {
  if (res.headersSent) return;
  const state = maybeRequestState(res.req);
  if (state) state.errorCode = error.code;
  res.status(error.httpStatus).json({ error_code: error.code, error_msg: error.message, request_id: state?.requestId ?? '' });
}

/** The reasons, in one place so tests and docs name the same text. Wording follows the gateway's where Huawei's FAQ shows it. */
export const REASONS = {
  both: 'send either X-Auth-Token or an SDK-HMAC-SHA256 signature, not both',
  securityToken: 'temporary security credentials (X-Security-Token) are not supported; sign with a permanent access key',
  malformed: 'the Authorization header must be "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;…>, Signature=<64 hex digits>"',
  missingDate: 'header X-Sdk-Date is missing',
  badDate: 'X-Sdk-Date must be a UTC time in basic ISO 8601 form, YYYYMMDDTHHMMSSZ',
  missingSignedHeader: (name: string) => `signed header ${name} is missing from the request`,
  unknownKey: 'Get secretKey failed, err: ak not exist (the access key is unknown or revoked)',
  locked: 'AK access failed to reach the limit,forbidden (too many consecutive failures; the access key is locked for 5 minutes)',
  expired: 'calc ak sk signature fail:signature expired (X-Sdk-Date differs from the server time by more than 15 minutes)',
  contentSha256: 'X-Sdk-Content-Sha256 is neither UNSIGNED-PAYLOAD nor the SHA-256 of the body',
  mismatch:
    'verify aksk signature fail (the signature does not match the request: check the secret key, the signed headers, the path, the query and the body)',
} as const;
