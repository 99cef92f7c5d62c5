/** Callers of a test server: a domain, a project and a token each, and the token file that grants them. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { sha256Hex } from './server-internals';

export interface TestTenant {
  readonly projectId: string;
  readonly domainId: string;
  readonly token: string;
}

/** A tenant with the given fields; the others are fresh random values of the right shape. */
export function newTenant(fields: Partial<TestTenant> = {}): TestTenant {
  return {
    projectId: fields.projectId ?? randomBytes(16).toString('hex'),
    domainId: fields.domainId ?? randomBytes(16).toString('hex'),
    token: fields.token ?? `okms_${randomBytes(32).toString('base64url')}`,
  };
}

/** Writes a token file (mode 0600) granting each tenant its project; only token hashes are stored. */
export function writeTokenFile(path: string, tenants: readonly TestTenant[]): void {
  const tokens = tenants.map((tenant, index) => ({
    name: `tenant-${index}`,
    token_sha256: sha256Hex(tenant.token),
    domain_id: tenant.domainId,
    projects: [tenant.projectId],
  }));
  writeFileSync(path, JSON.stringify({ tokens }), { mode: 0o600 });
}
