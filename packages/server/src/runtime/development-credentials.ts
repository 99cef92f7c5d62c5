import type { AccessKeyService } from '@openkms/core';
import { createTokenFileIfAbsent, type DevelopmentToken } from '../auth/token-registry';

/** What a first start makes and shows once: a token and an access key pair for one domain and project. */
export interface DevelopmentCredentials extends DevelopmentToken {
  /** The access key ID (AK). */
  readonly accessKeyId: string;
  /** The secret key (SK): shown once, stored only wrapped under the root key. */
  readonly secretKey: string;
}

/**
 * On first start (no token file yet): creates the token file with one development token and,
 * in the store, an access key for the same domain and project. Returns them to be shown once,
 * or undefined when the token file existed (not a first start).
 */
export async function createDevelopmentCredentialsIfAbsent(
  tokenFile: string,
  accessKeys: AccessKeyService,
): Promise<DevelopmentCredentials | undefined> {
  const token = createTokenFileIfAbsent(tokenFile);
  if (!token) return undefined;
  const accessKey = await accessKeys.create({ name: 'development', domainId: token.domainId, projects: [token.projectId] });
  return { ...token, accessKeyId: accessKey.accessKeyId, secretKey: accessKey.secretKey };
}
