import { timingSafeEqual } from 'node:crypto';
import { AccessKeyService, readActiveRootKeyId, type NewAccessKey } from '@openkms/core';
import type { Logger } from 'pino';
import type { KeyStoreConfig } from '../config';
import { loadRootKeys } from './root-keys';
import { openStore, type CredentialAndKeyStore } from './store';

export interface OpenedAccessKeys {
  readonly store: CredentialAndKeyStore;
  readonly accessKeys: AccessKeyService;
  close(): Promise<void>;
}

/**
 * The access keys of a configured store, opened as the server opens them (same data directory,
 * store and root keys; a missing root key file is created only where the server would create it),
 * for the `access-key` commands and the test launcher.
 */
export async function openAccessKeys(config: KeyStoreConfig, logger: Logger): Promise<OpenedAccessKeys> {
  if (config.store === 'memory')
    throw new Error('--store memory keeps nothing after this command exits; access keys need sqlite or postgres');
  const store = await openStore(config.store, config.dataDir, logger);
  try {
    const rootKeys = loadRootKeys(config, { create: 'when-safe', storeActiveRootKey: await readActiveRootKeyId(store) });
    const accessKeys = await AccessKeyService.open({ store, rootKey: rootKeys.rootKey, previousRootKeys: rootKeys.previousRootKeys });
    return { store, accessKeys, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Creates each access key unless the store holds it already (a restart over the same store): for
 * fixed test and development keys. A held key must be the same credential: live, with the same
 * secret key (compared in constant time), domain and projects; anything else would leave a caller
 * signing with a secret the server does not accept, so it is refused, naming the AK only.
 */
export async function provisionAccessKeys(
  store: CredentialAndKeyStore,
  accessKeys: AccessKeyService,
  wanted: readonly (NewAccessKey & { readonly accessKeyId: string })[],
): Promise<void> {
  for (const key of wanted) {
    if (!(await store.findAccessKey(key.accessKeyId))) {
      try {
        await accessKeys.create(key);
        continue;
      } catch (error) {
        // Another instance starting at the same moment over the same store created it first.
        if (!(await store.findAccessKey(key.accessKeyId))) throw error;
      }
    }
    await requireSameAccessKey(accessKeys, key);
  }
}

async function requireSameAccessKey(accessKeys: AccessKeyService, key: NewAccessKey & { readonly accessKeyId: string }): Promise<void> {
  const held = await accessKeys.findLive(key.accessKeyId);
  const refuse = (what: string) =>
    new Error(`access key ${key.accessKeyId} already exists in this store ${what}; give another access key ID or a fresh store`);
  if (!held) throw refuse('and is revoked');
  if (key.secretKey !== undefined && !sameSecret(held.secretKey, key.secretKey)) throw refuse('with another secret key');
  if (held.domainId !== key.domainId || !key.projects.every((project) => held.projects.includes(project))) {
    throw refuse('for another domain or other projects');
  }
}

function sameSecret(held: string, given: string): boolean {
  const a = Buffer.from(held, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
