/**
 * Everything the test launcher knows of the server's own code (its start function, its config
 * and the files of its data directory) lives in this one file, so that moving the entry code
 * around changes this file and nothing else in the launcher.
 */
import { resolveServerConfig, type ServerConfig, type ServerConfigInput } from '../config';

export { startServer, type RunningServer, type StartServerOptions } from '../runtime/server';
export type { ServerConfig, ServerConfigInput, StoreSetting } from '../config';
export { sha256Hex } from '../auth/token-registry';

/**
 * A complete config for a test server: 127.0.0.1 on a free port, its files in `dataDir`
 * (SQLite store, root.key, tokens.json), region local-1, every response checked against the spec.
 */
export function testServerConfig(dataDir: string, overrides: ServerConfigInput = {}): ServerConfig {
  return resolveServerConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    store: 'sqlite',
    region: 'local-1',
    logLevel: 'silent',
    validateResponses: true,
    ...overrides,
  });
}
