import { KmsError } from '@openkms/core';

/** Seconds a client is told to wait (`Retry-After`) before retrying a 503. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * 503 KMS.0104: the server cannot serve the request now, through no fault of the request (the
 * audit log cannot be written, say). Answered with `Retry-After`; retrying later may succeed.
 */
export class ServiceUnavailableError extends KmsError {
  readonly retryAfterSeconds: number;
  constructor(message?: string, retryAfterSeconds = SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS) {
    super('KMS.0104', message, 503);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
