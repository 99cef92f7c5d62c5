/**
 * The KMS error catalogue: every code OpenKMS can answer with, its HTTP status and the
 * message a client sees. Messages are fixed text on purpose: nothing a caller sends, and
 * nothing secret, is ever interpolated into them except field names and limits.
 */

export interface KmsErrorDefinition {
  readonly httpStatus: number;
  /** Whose fault: the caller's request, or the service. */
  readonly fault: 'client' | 'server';
  /** Whether the same request may succeed if retried unchanged. */
  readonly retryable: boolean;
  readonly message: string;
}

export const KMS_ERRORS = {
  'KMS.0101': { httpStatus: 500, fault: 'server', retryable: true, message: 'Internal error.' },
  'KMS.0104': { httpStatus: 503, fault: 'server', retryable: true, message: 'The service is unavailable.' },
  'KMS.0201': { httpStatus: 404, fault: 'client', retryable: false, message: 'Invalid request URL: no such API.' },
  'KMS.0202': { httpStatus: 400, fault: 'client', retryable: false, message: 'The request body is not valid JSON.' },
  'KMS.0203': { httpStatus: 413, fault: 'client', retryable: false, message: 'The request body is too large.' },
  'KMS.0204': { httpStatus: 400, fault: 'client', retryable: false, message: 'A required parameter is missing.' },
  'KMS.0205': { httpStatus: 400, fault: 'client', retryable: false, message: 'Invalid key_id.' },
  'KMS.0206': {
    httpStatus: 400,
    fault: 'client',
    retryable: false,
    message: 'Invalid sequence: it must be 36 printable ASCII characters.',
  },
  'KMS.0207': { httpStatus: 404, fault: 'client', retryable: false, message: 'The key does not exist.' },
  'KMS.0208': { httpStatus: 400, fault: 'client', retryable: false, message: 'Invalid encryption_context.' },
  'KMS.0209': { httpStatus: 400, fault: 'client', retryable: false, message: 'The key is disabled.' },
  'KMS.0210': { httpStatus: 400, fault: 'client', retryable: false, message: 'The key is pending deletion.' },
  'KMS.0215': { httpStatus: 405, fault: 'client', retryable: false, message: 'The HTTP method is not supported on this path.' },
  'KMS.0301': { httpStatus: 403, fault: 'client', retryable: false, message: 'X-Auth-Token is missing or empty.' },
  'KMS.0302': { httpStatus: 403, fault: 'client', retryable: false, message: 'X-Auth-Token is invalid.' },
  'KMS.0305': { httpStatus: 403, fault: 'client', retryable: false, message: 'The token may not be used on this project.' },
  'KMS.0308': { httpStatus: 400, fault: 'client', retryable: false, message: 'Invalid parameter.' },
  'KMS.0310': { httpStatus: 400, fault: 'client', retryable: false, message: 'The key is pending import: it has no key material yet.' },
  'KMS.0429': { httpStatus: 429, fault: 'client', retryable: true, message: 'Too many requests.' },
  'KMS.1101': {
    httpStatus: 400,
    fault: 'client',
    retryable: false,
    message: 'Invalid key_alias: it must match ^[a-zA-Z0-9:/_-]{1,255}$ and must not end with /default.',
  },
  'KMS.1103': { httpStatus: 400, fault: 'client', retryable: false, message: 'Invalid key_description: at most 255 characters.' },
  'KMS.1104': { httpStatus: 400, fault: 'client', retryable: false, message: 'A key with this alias already exists in the project.' },
  'KMS.1105': { httpStatus: 400, fault: 'client', retryable: false, message: 'The project has reached its maximum number of keys.' },
  'KMS.1901': {
    httpStatus: 400,
    fault: 'client',
    retryable: false,
    message: 'Invalid datakey_length: it must be a decimal number of bits from 8 to 8192.',
  },
  'KMS.1903': { httpStatus: 400, fault: 'client', retryable: false, message: 'Invalid datakey_length: it must be a multiple of 8.' },
  'KMS.2101': {
    httpStatus: 400,
    fault: 'client',
    retryable: false,
    message: 'Invalid plain_text: it must be the data key followed by its SHA-256, datakey_plain_length + 32 bytes.',
  },
  'KMS.2103': {
    httpStatus: 400,
    fault: 'client',
    retryable: false,
    message: 'The data key digest does not match: plain_text must end with the SHA-256 of the data key.',
  },
  'KMS.2201': { httpStatus: 400, fault: 'client', retryable: false, message: 'Invalid cipher_text.' },
  'KMS.2203': {
    httpStatus: 400,
    fault: 'client',
    retryable: false,
    message: 'The data key could not be decrypted: wrong key or encryption_context, or cipher_text was altered.',
  },
} as const satisfies Record<string, KmsErrorDefinition>;

export type KmsErrorCode = keyof typeof KMS_ERRORS;

export function isKmsErrorCode(value: string): value is KmsErrorCode {
  return Object.prototype.hasOwnProperty.call(KMS_ERRORS, value);
}

/**
 * A failure with a KMS error code. The only error type the core throws on purpose;
 * anything else reaching the HTTP layer is an internal error (KMS.0101).
 */
export class KmsError extends Error {
  readonly code: KmsErrorCode;
  readonly httpStatus: number;

  /**
   * @param httpStatus overrides the code's usual status where the API reuses a code, e.g.
   *   KMS.0308 (invalid parameter) answered as 415 for a wrong content type.
   */
  constructor(code: KmsErrorCode, message?: string, httpStatus?: number) {
    super(message ?? KMS_ERRORS[code].message);
    this.name = 'KmsError';
    this.code = code;
    this.httpStatus = httpStatus ?? KMS_ERRORS[code].httpStatus;
  }
}

/**
 * The key store could not serve the request: unreachable, a dropped connection, a timeout, a
 * full or failing disk. Answered as 503 KMS.0104 with Retry-After; the process keeps running
 * and the next request tries the store again. `reason` (a driver error code and message,
 * URL passwords masked) is for the log only: the client sees the catalogue message.
 */
export class StoreUnavailableError extends KmsError {
  readonly reason: string;

  constructor(reason: string) {
    super('KMS.0104');
    this.name = 'StoreUnavailableError';
    this.reason = reason;
  }
}
