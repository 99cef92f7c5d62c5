/**
 * Everything the test launcher knows of the server's own code (its start function, its config
 * and the files of its data directory) lives in this one file, so that moving the entry code
 * around changes this file and nothing else in the launcher.
 */
import { join } from 'node:path';
import type { ServerConfig } from '../config';

export { startServer, type RunningServer } from '../server';
export type { ServerConfig, StoreSetting } from '../config';
export { sha256Hex } from '../auth/token-registry';

/**
 * A complete config for a test server: 127.0.0.1 on a free port, its files in `dataDir`
 * (SQLite store, root.key, tokens.json), region local-1, every response checked against the spec.
 */
export function testServerConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    store: 'sqlite',
    rootKey: undefined,
    rootKeyFile: join(dataDir, 'root.key'),
    tokenFile: join(dataDir, 'tokens.json'),
    region: 'local-1',
    maxKeysPerProject: 1000,
    logLevel: 'silent',
    validateResponses: true,
    ...overrides,
  };
}
