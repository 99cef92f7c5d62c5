import type { RootKey } from '../crypto/root-key';
import { wrappingRootKeyId } from '../crypto/root-key';
import { RootKeyRing } from '../crypto/root-key-ring';
import type { AccessKeyRecord } from '../credentials/access-key';
import type { AccessKeyStore } from '../credentials/access-key-store';
import type { KeyRecord } from '../keys/key-record';
import type { KeyStore } from '../store/key-store';
import { ACTIVE_ROOT_KEY_META, checkRootKeys, RETIRING_ROOT_KEY_META } from './root-key-state';

export interface RewrapOptions {
  /** The keys' store, which also holds the access keys, whose secrets are re-wrapped too. */
  readonly store: KeyStore & AccessKeyStore;
  /** The root key every key's material ends up wrapped under. */
  readonly rootKey: RootKey;
  /** The root keys material may be wrapped under now (the one being retired). */
  readonly previousRootKeys?: readonly RootKey[];
  /** Keys read per batch (default 200). */
  readonly batchSize?: number;
  /** Told after every batch; a rejected promise stops the rewrap (it can be run again). */
  readonly onProgress?: (progress: RewrapProgress) => void | Promise<void>;
}

export interface RewrapProgress {
  /** 1 for the pass that rewraps; later passes check that nothing is left. */
  readonly pass: number;
  readonly examined: number;
  readonly rewrapped: number;
  readonly alreadyCurrent: number;
  /** Keys without material (origin external, pending import). */
  readonly withoutMaterial: number;
  /** Access keys examined in this pass (live and revoked: every stored secret moves to the new root key). */
  readonly accessKeysExamined: number;
  /** Access key secrets re-wrapped, over all passes. */
  readonly accessKeysRewrapped: number;
}

export interface RewrapReport extends RewrapProgress {
  /** Check value of the root key that was retired by this run, if any. */
  readonly retired: string | undefined;
  /** Check value of the root key everything is wrapped under now. */
  readonly active: string;
  /**
   * Keys whose material opened under none of the root keys given (damage, or a root key not
   * given). While there are any, the rotation stays unfinished: the retiring key is still required.
   */
  readonly unreadable: readonly string[];
  /** Access keys (IDs) whose secret opened under none of the root keys given; they too keep the rotation unfinished. */
  readonly unreadableAccessKeys: readonly string[];
  /** Whether the rotation is complete: every key's material is under `active` and no key is retiring. */
  readonly finished: boolean;
}

const MAX_PASSES = 5;

/**
 * Root key rotation: makes `rootKey` the store's active root key and re-wraps every key's
 * material under it, online. Servers keep serving throughout if they hold both root keys:
 * material names the root key it is wrapped under, and a server follows the active key when
 * an insert finds it changed.
 *
 * Crash safe and resumable. The retiring key is recorded before the active one changes;
 * each key is replaced by one compare-and-swap of its own (the old or the new wrap, never a
 * mix); and the retiring key is forgotten only after a pass has found nothing left to
 * re-wrap. Run it again after any interruption; keys already re-wrapped are skipped.
 */
export async function rewrapAllKeys(options: RewrapOptions): Promise<RewrapReport> {
  const { store, rootKey } = options;
  const batchSize = options.batchSize ?? 200;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  const rootKeys = new RootKeyRing([rootKey, ...(options.previousRootKeys ?? [])]);
  const target = rootKey.checkValue();
  const retiring = await makeActive(store, rootKeys, target);

  const unreadable = new Set<string>();
  const unreadableAccessKeys = new Set<string>();
  let progress: RewrapProgress = {
    pass: 0,
    examined: 0,
    rewrapped: 0,
    alreadyCurrent: 0,
    withoutMaterial: 0,
    accessKeysExamined: 0,
    accessKeysRewrapped: 0,
  };
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const before = progress.rewrapped + progress.accessKeysRewrapped;
    let left = 0;
    progress = { ...progress, pass, examined: 0, alreadyCurrent: 0, withoutMaterial: 0, accessKeysExamined: 0 };
    for (let after: string | undefined; ;) {
      const batch = await store.scanKeys(after, batchSize);
      for (const key of batch) {
        const outcome = await rewrapKey(store, rootKeys, rootKey, key);
        if (outcome === 'unreadable') unreadable.add(key.keyId);
        else unreadable.delete(key.keyId);
        if (outcome !== 'already-current' && outcome !== 'without-material') left++;
        progress = {
          ...progress,
          examined: progress.examined + 1,
          rewrapped: progress.rewrapped + (outcome === 'rewrapped' ? 1 : 0),
          alreadyCurrent: progress.alreadyCurrent + (outcome === 'already-current' ? 1 : 0),
          withoutMaterial: progress.withoutMaterial + (outcome === 'without-material' ? 1 : 0),
        };
      }
      await options.onProgress?.(progress);
      if (batch.length < batchSize) break;
      after = batch[batch.length - 1]!.keyId;
    }
    for (let after: string | undefined; ;) {
      const batch = await store.scanAccessKeys(after, batchSize);
      for (const accessKey of batch) {
        const outcome = await rewrapAccessKeySecret(store, rootKeys, rootKey, accessKey);
        if (outcome === 'unreadable') unreadableAccessKeys.add(accessKey.accessKeyId);
        else unreadableAccessKeys.delete(accessKey.accessKeyId);
        if (outcome !== 'already-current' && outcome !== 'without-material') left++;
        progress = {
          ...progress,
          accessKeysExamined: progress.accessKeysExamined + 1,
          accessKeysRewrapped: progress.accessKeysRewrapped + (outcome === 'rewrapped' ? 1 : 0),
        };
      }
      if (batch.length > 0) await options.onProgress?.(progress);
      if (batch.length < batchSize) break;
      after = batch[batch.length - 1]!.accessKeyId;
    }
    // Only a pass that found every key and secret already current proves the rotation complete.
    if (left === 0) {
      if (retiring !== undefined) await store.compareAndSetMeta(RETIRING_ROOT_KEY_META, retiring, undefined);
      return { ...progress, retired: retiring, active: target, unreadable: [], unreadableAccessKeys: [], finished: true };
    }
    if (progress.rewrapped + progress.accessKeysRewrapped === before) break;
  }
  return {
    ...progress,
    retired: undefined,
    active: target,
    unreadable: [...unreadable],
    unreadableAccessKeys: [...unreadableAccessKeys],
    finished: false,
  };
}

/**
 * Records the store's active root key as retiring and makes `target` active (each step a
 * compare-and-swap, so concurrent runs agree); resolves to the retiring key's check value.
 */
async function makeActive(store: KeyStore, rootKeys: RootKeyRing, target: string): Promise<string | undefined> {
  for (;;) {
    // The ring's first key is the target, so a new store simply starts with it.
    const { active, retiring } = await checkRootKeys(store, rootKeys);
    if (active === target) return retiring;
    if (retiring !== undefined && retiring !== active) {
      throw new Error(
        `an earlier rotation, from root key ${retiring} to ${active}, is unfinished; finish it first (run rewrap with ${active} as the root key)`,
      );
    }
    // Retiring first: a crash between the two steps leaves a store every server holding both keys can serve.
    if (retiring === undefined && (await store.setMetaIfAbsent(RETIRING_ROOT_KEY_META, active)) !== active) continue;
    if (await store.compareAndSetMeta(ACTIVE_ROOT_KEY_META, active, target)) return active;
  }
}

type KeyOutcome = 'rewrapped' | 'already-current' | 'without-material' | 'unreadable';

/** Re-wraps every material version of one key (its first, then those of key rotation) under `rootKey`. */
async function rewrapKey(store: KeyStore, rootKeys: RootKeyRing, rootKey: RootKey, key: KeyRecord): Promise<KeyOutcome> {
  const first = await rewrapFirstMaterial(store, rootKeys, rootKey, key);
  const rotated = await rewrapRotatedMaterials(store, rootKeys, rootKey, key);
  if (first === 'unreadable' || rotated === 'unreadable') return 'unreadable';
  if (first === 'rewrapped' || rotated === 'rewrapped') return 'rewrapped';
  return first;
}

/**
 * Re-wraps a key's rotated material versions (2, 3, …) under `rootKey`, all in one compare-and-swap
 * of the list, re-reading it if it changed meanwhile (a rotation added a version).
 */
async function rewrapRotatedMaterials(store: KeyStore, rootKeys: RootKeyRing, rootKey: RootKey, key: KeyRecord): Promise<KeyOutcome> {
  const target = rootKey.checkValue();
  let current = key.rotatedMaterials ?? [];
  for (;;) {
    if (current.every((wrapped) => wrappingRootKeyId(wrapped) === target)) return 'already-current';
    const replacement: Buffer[] = [];
    for (const wrapped of current) {
      if (wrappingRootKeyId(wrapped) === target) {
        replacement.push(wrapped);
        continue;
      }
      const opened = rootKeys.unwrap(wrapped, key);
      if (!('material' in opened)) return 'unreadable';
      try {
        replacement.push(rootKey.wrap(opened.material, key));
      } finally {
        opened.material.fill(0);
      }
    }
    if (await store.replaceRotatedMaterials(key.keyId, current, replacement)) return 'rewrapped';
    current = (await store.findKeyById(key, key.keyId))?.rotatedMaterials ?? [];
  }
}

/** Re-wraps one key's first material under `rootKey` with a compare-and-swap, re-reading it if it changed meanwhile. */
async function rewrapFirstMaterial(store: KeyStore, rootKeys: RootKeyRing, rootKey: RootKey, key: KeyRecord): Promise<KeyOutcome> {
  const target = rootKey.checkValue();
  let current = key.wrappedMaterial;
  for (;;) {
    if (!current) return 'without-material';
    if (wrappingRootKeyId(current) === target) return 'already-current';
    const opened = rootKeys.unwrap(current, key);
    if (!('material' in opened)) return 'unreadable';
    let replacement: Buffer;
    try {
      replacement = rootKey.wrap(opened.material, key);
    } finally {
      opened.material.fill(0);
    }
    if (await store.replaceWrappedMaterial(key.keyId, current, replacement)) return 'rewrapped';
    current = (await store.findKeyById(key, key.keyId))?.wrappedMaterial ?? null;
  }
}

/** Re-wraps one access key's secret under `rootKey` with a compare-and-swap, re-reading it if it changed meanwhile. */
async function rewrapAccessKeySecret(
  store: AccessKeyStore,
  rootKeys: RootKeyRing,
  rootKey: RootKey,
  accessKey: AccessKeyRecord,
): Promise<KeyOutcome> {
  const target = rootKey.checkValue();
  const owner = { domainId: accessKey.domainId, credentialId: accessKey.accessKeyId };
  let current: Buffer | undefined = accessKey.wrappedSecret;
  for (;;) {
    if (!current) return 'without-material';
    if (wrappingRootKeyId(current) === target) return 'already-current';
    const opened = rootKeys.unwrapSecret(current, owner);
    if (!('secret' in opened)) return 'unreadable';
    let replacement: Buffer;
    try {
      replacement = rootKey.wrapSecret(opened.secret, owner);
    } finally {
      opened.secret.fill(0);
    }
    if (await store.replaceWrappedSecret(accessKey.accessKeyId, current, replacement)) return 'rewrapped';
    current = (await store.findAccessKey(accessKey.accessKeyId))?.wrappedSecret;
  }
}
