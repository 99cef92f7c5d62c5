/**
 * Callers of a test server: a domain, a project, a token and an access key pair each, and the
 * token file that grants them.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { generateAccessKeyId, generateSecretKey, sha256Hex } from './server-internals';

export interface TestTenant {
  readonly projectId: string;
  readonly domainId: string;
  readonly token: string;
  /** The tenant's access key ID (AK), for SDK-HMAC-SHA256 signing; stored for its domain and project. */
  readonly accessKeyId: string;
  /** The tenant's secret key (SK). */
  readonly secretKey: string;
}

/** A tenant with the given fields; the others are fresh random values of the right shape. */
export function newTenant(fields: Partial<TestTenant> = {}): TestTenant {
  return {
    projectId: fields.projectId ?? randomBytes(16).toString('hex'),
    domainId: fields.domainId ?? randomBytes(16).toString('hex'),
    token: fields.token ?? `okms_${randomBytes(32).toString('base64url')}`,
    accessKeyId: fields.accessKeyId ?? generateAccessKeyId(),
    secretKey: fields.secretKey ?? generateSecretKey(),
  };
}

/** The name each tenant's token and access key get: `tenant-<index>`. */
export function tenantName(index: number): string {
  return `tenant-${index}`;
}

/** Writes a token file (mode 0600) granting each tenant its project; only token hashes are stored. */
export function writeTokenFile(path: string, tenants: readonly TestTenant[]): void {
  const tokens = tenants.map((tenant, index) => ({
    name: tenantName(index),
    token_sha256: sha256Hex(tenant.token),
    domain_id: tenant.domainId,
    projects: [tenant.projectId],
  }));
  writeFileSync(path, JSON.stringify({ tokens }), { mode: 0o600 });
}

/** The tenants' access keys as the server creates them at start. */
export function tenantAccessKeys(tenants: readonly TestTenant[]) {
  return tenants.map((tenant, index) => ({
    name: tenantName(index),
    domainId: tenant.domainId,
    projects: [tenant.projectId],
    accessKeyId: tenant.accessKeyId,
    secretKey: tenant.secretKey,
  }));
}
