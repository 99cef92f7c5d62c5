/**
 * @openkms/client: the KMS v1.0 API client generated from spec/kms.yaml (typescript-fetch).
 * Everything here is generated; this file only chooses what the package exports.
 */
export * from './generated';
