/**
 * @openkms/client: the KMS v1.0 API client.
 *
 * `createKmsClient` is the entry point; it is a small hand-written layer (token or access key signature, retries,
 * deadlines, typed errors) over the API classes and models generated from spec/kms.yaml,
 * which are exported too for anyone who wants the raw generated surface.
 */
export {
  createKmsClient,
  type CallOptions,
  type KmsClient,
  type KmsClientAccessKeyOptions,
  type KmsClientOptions,
  type KmsClientTokenOptions,
} from './kms-client';
export {
  createRequestSigner,
  type AccessKeyCredentials,
  type RequestSigner,
  type SignableRequest,
  type SignatureHeaders,
} from './sign-request';
export { KmsError } from './kms-error';
export { RETRYABLE_STATUSES, type RetryOptions } from './retry';
export { bytesToHex, dataKeyBytes, hexToBytes, type DataKeyBytes } from './hex';
export * from './generated';
