/**
 * The fixed credentials of dev mode: the same flags (or variables) give the same token, project
 * and domain at every start, so scripts and test suites can be written against them.
 */
import { writeFileSync } from 'node:fs';
import { sha256Hex } from '../auth/token-registry';

export interface DevCredentials {
  readonly token: string;
  readonly projectId: string;
  readonly domainId: string;
  // Access keys (AK/SK) plug in here once the server stores them: `accessKey`/`secretKey` fields,
  // --dev-access-key/--dev-secret-key in config/command-line.ts (DEV_FLAGS there), and a grant
  // written beside the token grant in writeDevTokenFile. Not faked until then.
}

/** Used when no flag or variable gives one: documented in the README (Dev mode). Never for production. */
export const DEV_DEFAULT_CREDENTIALS: DevCredentials = Object.freeze({
  token: 'okms_dev_token_not_for_production',
  projectId: '0123456789abcdef0123456789abcdef',
  domainId: 'fedcba9876543210fedcba9876543210',
});

/** The token file's own rules (token-registry.ts), checked when the flag is read. */
export const DEV_PROJECT_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const DEV_DOMAIN_ID_PATTERN = /^[0-9a-f]{32}$/;
/** Sent in a header: printable ASCII without spaces. */
export const DEV_TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;

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
