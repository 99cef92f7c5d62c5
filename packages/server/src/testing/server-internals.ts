/**
 * Every piece of the server's own code the test launcher uses, imported in this one file, so
 * that moving the entry code around changes one import here and nothing else in the launcher.
 */
export { startServer, type RunningServer } from '../server';
export type { ServerConfig, StoreSetting } from '../config';
export { sha256Hex } from '../auth/token-registry';
