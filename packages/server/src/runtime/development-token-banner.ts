import type { DevelopmentToken } from '../auth/token-registry';

/** Shown once on the terminal, deliberately outside the structured log. */
export function printDevelopmentToken({ token, domainId, projectId }: DevelopmentToken, url: string): void {
  process.stderr.write(
    [
      '',
      'OpenKMS created a development token (stored only as a hash; this is the only time it is shown):',
      `  X-Auth-Token: ${token}`,
      `  project_id:   ${projectId}`,
      `  domain_id:    ${domainId}`,
      `Try: curl -s -X POST ${url}/v1.0/${projectId}/kms/create-key \\`,
      `       -H 'Content-Type: application/json' -H 'X-Auth-Token: ${token}' -d '{"key_alias":"demo"}'`,
      '',
    ].join('\n') + '\n',
  );
}
