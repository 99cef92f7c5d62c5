import { existsSync } from 'node:fs';
import { loadOrCreateRootKeyFile, loadRootKeyFile, RootKey } from '@openkms/core';
import type { KeyStoreConfig } from '../config';

export interface LoadedRootKeys {
  /** The root key new stores start with and rotations move to. */
  readonly rootKey: RootKey;
  /** The root key being retired, when one is configured. */
  readonly previousRootKeys: readonly RootKey[];
  /** Whether this load created the root key file. */
  readonly created: boolean;
  /** For logs: where each key came from and its check value (a public fingerprint, never the key). */
  readonly description: {
    readonly root_key: string;
    readonly root_key_source: string;
    readonly previous_root_key?: string;
    readonly previous_root_key_source?: string;
  };
}

/**
 * Whether a missing root key file may be created: `never` (maintenance commands), or
 * `when-safe`: only for a store that has no root key yet, or to start a rotation (the
 * previous root key is the store's active one). Otherwise a missing file is an error: a new
 * key beside a store wrapped under a lost one would only fail later, and leave a stray file.
 */
export type RootKeyCreation =
  { readonly create: 'never' } | { readonly create: 'when-safe'; readonly storeActiveRootKey: string | undefined };

/**
 * Loads the root key (OPENKMS_ROOT_KEY, else the root key file) and the retiring one
 * (OPENKMS_PREVIOUS_ROOT_KEY, else the previous root key file: a named one must exist, the
 * default one is read only if it does). Throws with a message that names files and check
 * values, never a key; and for a root key without entropy (RootKey.lowEntropyReason).
 */
export function loadRootKeys(config: KeyStoreConfig, creation: RootKeyCreation): LoadedRootKeys {
  let previous: RootKey | undefined;
  let previousSource: string | undefined;
  if (config.previousRootKey !== undefined) {
    previous = RootKey.fromEncoded(config.previousRootKey);
    previousSource = 'OPENKMS_PREVIOUS_ROOT_KEY';
  } else if (config.previousRootKeyFile.required || existsSync(config.previousRootKeyFile.path)) {
    const { path } = config.previousRootKeyFile;
    if (!existsSync(path)) throw new Error(`previous root key file ${path} does not exist`);
    previous = loadRootKeyFile(path);
    previousSource = path;
  }

  let rootKey: RootKey;
  let created = false;
  let rootSource: string;
  if (config.rootKey !== undefined) {
    rootKey = RootKey.fromEncoded(config.rootKey);
    rootSource = 'OPENKMS_ROOT_KEY';
  } else {
    rootSource = config.rootKeyFile;
    if (!existsSync(config.rootKeyFile)) {
      const storeActive = creation.create === 'when-safe' ? creation.storeActiveRootKey : undefined;
      const mayCreate = creation.create === 'when-safe' && (storeActive === undefined || previous?.checkValue() === storeActive);
      if (!mayCreate) {
        throw new Error(
          storeActive === undefined
            ? `root key file ${config.rootKeyFile} does not exist`
            : `root key file ${config.rootKeyFile} does not exist, but the key store's keys are wrapped under root key ${storeActive}; ` +
                'restore that root key file (or set OPENKMS_ROOT_KEY)',
        );
      }
    }
    ({ rootKey, created } = loadOrCreateRootKeyFile(config.rootKeyFile));
  }
  // A key without entropy protects nothing. Only the key in use is refused: a retiring one is
  // accepted, so that a store made under a weak key can be rotated off it.
  const weakness = rootKey.lowEntropyReason();
  if (weakness !== undefined) {
    throw new Error(
      `the root key (${rootSource}) is refused: ${weakness}. Use a random key (openssl rand -hex 32); ` +
        'to move a store off this key, rotate: make it the previous root key (README: Rotating the root key)',
    );
  }
  if (previous && previous.checkValue() === rootKey.checkValue()) {
    throw new Error(`the previous root key (${previousSource}) is the root key itself (${rootSource}); a rotation needs a new root key`);
  }
  return {
    rootKey,
    previousRootKeys: previous ? [previous] : [],
    created,
    description: {
      root_key: rootKey.checkValue(),
      root_key_source: rootSource,
      ...(previous && { previous_root_key: previous.checkValue(), previous_root_key_source: previousSource }),
    },
  };
}
