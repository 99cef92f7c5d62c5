export { isSignedRequest, parseAuthorization, SIGNING_ALGORITHM, type SignatureClaim } from './authorization-header';
export { FailureThrottle, type FailureThrottleOptions } from './failure-throttle';
export { GATEWAY_AUTH_ERROR_CODE, GatewayAuthError, REASONS, sendGatewayError } from './gateway-error';
export { DATE_SKEW_MS, parseSdkDate, SignatureVerifier, type PendingSignature, type SignatureVerifierOptions } from './signature-verifier';
