import type { SeedOutcome } from './apply-seed';
import type { DevCredentials } from './dev-credentials';

export interface DevBannerFacts {
  readonly url: string;
  readonly credentials: DevCredentials;
  /** `memory`, `sqlite` or `postgres`, and where the files are. */
  readonly store: string;
  readonly dataDir: string;
  /** Whether the data directory is a temporary one removed at exit. */
  readonly temporary: boolean;
  readonly seed?: { readonly file: string; readonly outcome: SeedOutcome };
}

/**
 * The dev server's banner, for stderr (outside the structured log): it says the server is not for
 * production and shows the credentials with a ready-to-run curl. Dev credentials are fixed and
 * documented, so showing them is the point; nothing else secret is shown.
 */
export function formatDevBanner({ url, credentials, store, dataDir, temporary, seed }: DevBannerFacts): string {
  const { token, projectId, domainId, accessKeyId, secretKey } = credentials;
  const lines = [
    '',
    '==> OpenKMS DEV MODE: NOT FOR PRODUCTION. Fixed, publicly known credentials; no durability unless --data-dir is given.',
    `  URL:          ${url}`,
    `  X-Auth-Token: ${token}`,
    `  project_id:   ${projectId}`,
    `  domain_id:    ${domainId}`,
    `  access_key:   ${accessKeyId}`,
    `  secret_key:   ${secretKey}`,
    `  store:        ${store} (${temporary ? `temporary directory ${dataDir}, removed at exit` : `data directory ${dataDir}`})`,
  ];
  if (seed) lines.push(`  seed:         ${seed.file} (${seed.outcome.created} keys created, ${seed.outcome.unchanged} already present)`);
  lines.push(
    'Try:',
    `  curl -s -X POST ${url}/v1.0/${projectId}/kms/create-key \\`,
    `    -H 'Content-Type: application/json' -H 'X-Auth-Token: ${token}' -d '{"key_alias":"demo"}'`,
    `  curl -s -X POST ${url}/v1.0/${projectId}/kms/list-keys \\`,
    `    -H 'Content-Type: application/json' -H 'X-Auth-Token: ${token}' -d '{}'`,
    'Or sign requests with the access key pair (SDK-HMAC-SHA256), as the Huawei Cloud SDKs do:',
    `  createKmsClient({ endpoint: '${url}', projectId: '${projectId}', accessKey: '${accessKeyId}', secretKey: '${secretKey}' })`,
    `  (@openkms/client), or an official SDK's BasicCredentials().withAk('${accessKeyId}').withSk('${secretKey}').withProjectId('${projectId}'),`,
    `  endpoint ${url}. The pair lives in this process only (never in the store).`,
    '',
  );
  return `${lines.join('\n')}\n`;
}
