import type { DevelopmentCredentials } from './development-credentials';

/** Shown once on the terminal, deliberately outside the structured log. */
export function printDevelopmentCredentials(credentials: DevelopmentCredentials, url: string): void {
  const { token, domainId, projectId, accessKeyId, secretKey } = credentials;
  process.stderr.write(
    [
      '',
      'OpenKMS created a development token and access key (the token stored only as a hash, the secret key only',
      'wrapped under the root key; this is the only time they are shown):',
      `  X-Auth-Token: ${token}`,
      `  access_key:   ${accessKeyId}`,
      `  secret_key:   ${secretKey}`,
      `  project_id:   ${projectId}`,
      `  domain_id:    ${domainId}`,
      `Try the token: curl -s -X POST ${url}/v1.0/${projectId}/kms/create-key \\`,
      `       -H 'Content-Type: application/json' -H 'X-Auth-Token: ${token}' -d '{"key_alias":"demo"}'`,
      'Or sign requests with the access key (SDK-HMAC-SHA256), as the Huawei Cloud SDKs do:',
      `  createKmsClient({ endpoint: '${url}', projectId: '${projectId}', accessKey: '${accessKeyId}', secretKey: '${secretKey}' })`,
      `  (@openkms/client), or an official SDK's BasicCredentials with this AK/SK and project_id, endpoint ${url}.`,
      'More credentials: openkms-server token create --help, openkms-server access-key create --help.',
      '',
    ].join('\n') + '\n',
  );
}
