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

/** Creates each access key unless one with its ID exists (a restart over the same store): for fixed test and development keys. */
export async function provisionAccessKeys(
  store: CredentialAndKeyStore,
  accessKeys: AccessKeyService,
  wanted: readonly (NewAccessKey & { readonly accessKeyId: string })[],
): Promise<void> {
  for (const key of wanted) {
    if (await store.findAccessKey(key.accessKeyId)) continue;
    try {
      await accessKeys.create(key);
    } catch (error) {
      // Another instance starting at the same moment over the same store created it first.
      if (!(await store.findAccessKey(key.accessKeyId))) throw error;
    }
  }
}
