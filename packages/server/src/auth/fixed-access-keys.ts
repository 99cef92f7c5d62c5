import type { AccessKeyCredential, AccessKeyResolver } from './access-key-resolver';

/**
 * Access keys held by this process only, answered before `stored` is asked (dev mode's fixed
 * pair). Nothing is written to the store, so they end with the process.
 */
export function withFixedAccessKeys(stored: AccessKeyResolver, fixed: readonly AccessKeyCredential[]): AccessKeyResolver {
  if (fixed.length === 0) return stored;
  const byId = new Map(fixed.map((credential) => [credential.accessKeyId, credential]));
  return { find: async (accessKeyId) => byId.get(accessKeyId) ?? stored.find(accessKeyId) };
}
