/**
 * The fixed credentials of dev mode: the same flags (or variables) give the same token, project
 * and domain at every start, so scripts and test suites can be written against them.
 */
import { writeFileSync } from 'node:fs';
import { ACCESS_KEY_ID_PATTERN, SECRET_KEY_PATTERN } from '@openkms/core';
import type { AccessKeyCredential } from '../auth/access-key-resolver';
import { sha256Hex } from '../auth/token-registry';

export interface DevCredentials {
  readonly token: string;
  readonly projectId: string;
  readonly domainId: string;
  /** The access key pair (AK/SK) for SDK-HMAC-SHA256 signatures, granted the same project. */
  readonly accessKeyId: string;
  readonly secretKey: string;
}

/** Used when no flag or variable gives one: documented in the README (Dev mode). Never for production. */
export const DEV_DEFAULT_CREDENTIALS: DevCredentials = Object.freeze({
  token: 'okms_dev_token_not_for_production',
  projectId: '0123456789abcdef0123456789abcdef',
  domainId: 'fedcba9876543210fedcba9876543210',
  accessKeyId: 'OPENKMSDEVNOTFORPROD',
  secretKey: 'devSecretKeyNotForProductionOpenKMS00000',
});

/** The token file's own rules (token-registry.ts), checked when the flag is read. */
export const DEV_PROJECT_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const DEV_DOMAIN_ID_PATTERN = /^[0-9a-f]{32}$/;
/** Sent in a header: printable ASCII without spaces. */
export const DEV_TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;
/** The access key pair as the store's access keys have it (core): an AK of 20 upper-case letters and digits, an SK of 40 letters and digits. */
export const DEV_ACCESS_KEY_ID_PATTERN = ACCESS_KEY_ID_PATTERN;
export const DEV_SECRET_KEY_PATTERN = SECRET_KEY_PATTERN;

/**
 * The dev access key as the signature verifier sees it. It lives in the dev server's process only
 * and is never written to a store: with --data-dir, a publicly known pair would otherwise outlive
 * dev mode and open that store's keys to a later, non-dev server.
 */
export function devAccessKeyCredential(credentials: DevCredentials): AccessKeyCredential {
  return {
    accessKeyId: credentials.accessKeyId,
    name: 'dev',
    secretKey: credentials.secretKey,
    domainId: credentials.domainId,
    projects: [credentials.projectId],
  };
}

/** Writes the token file (mode 0600) that grants the dev token its project; only the token's hash is stored. */
export function writeDevTokenFile(path: string, credentials: DevCredentials): void {
  const grant = {
    name: 'dev',
    token_sha256: sha256Hex(credentials.token),
    domain_id: credentials.domainId,
    projects: [credentials.projectId],
  };
  writeFileSync(path, `${JSON.stringify({ tokens: [grant] }, null, 2)}\n`, { mode: 0o600 });
}
