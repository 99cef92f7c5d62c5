import type { RootKeyRing } from '../crypto/root-key-ring';
import type { KeyStore } from '../store/key-store';

/** Store setting: the check value of the root key that wraps new keys (the active root key). */
export const ACTIVE_ROOT_KEY_META = 'root_key_check_value';
/** Store setting, present while a rotation is unfinished: the root key some keys may still be wrapped under. */
export const RETIRING_ROOT_KEY_META = 'root_key_retiring_check_value';

/**
 * The check value of the store's active root key (the one its keys are wrapped under), or
 * undefined for a store no service has opened yet.
 */
export async function readActiveRootKeyId(store: KeyStore): Promise<string | undefined> {
  return store.getMeta(ACTIVE_ROOT_KEY_META);
}

/**
 * Checks a ring of root keys against the store and returns the store's active and retiring
 * root keys (check values). A new store starts with the ring's first key. The active root key
 * must be in the ring, and so must the retiring one while a rotation is unfinished: keys may
 * still be wrapped under it. The messages name check values only, never keys.
 */
export async function checkRootKeys(store: KeyStore, rootKeys: RootKeyRing): Promise<{ active: string; retiring: string | undefined }> {
  const active = await store.setMetaIfAbsent(ACTIVE_ROOT_KEY_META, rootKeys.ids[0]!);
  if (!rootKeys.has(active)) {
    throw new Error(
      `the store's keys are wrapped under root key ${active}, which is not among the root keys given (${rootKeys.ids.join(', ')}) ` +
        '(check value mismatch); give that root key, as the root key or, during a rotation, as the previous root key',
    );
  }
  const retiring = await store.getMeta(RETIRING_ROOT_KEY_META);
  if (retiring !== undefined && !rootKeys.has(retiring)) {
    throw new Error(
      `a root key rotation is unfinished: some keys may still be wrapped under root key ${retiring}, which is not among the ` +
        'root keys given; give it as the previous root key, and run rewrap to finish the rotation',
    );
  }
  return { active, retiring };
}
