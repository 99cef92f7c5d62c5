/**
 * `@openkms/server/testing`: the one way the tests of every package (and the bench) start a
 * reference server, in this process or as the real command. Test support, not production code.
 */
export { startOpenKms, type OpenKms, type OpenKmsOptions } from './open-kms';
export type { SeedDocument, SeedFileKey } from '../dev/seed-schema';
export { startTestServer, type TestServer, type TestServerOptions, type TestTenants } from './in-process';
export { testServerConfig } from './server-internals';
export {
  cleanEnvironment,
  runOpenkms,
  SERVER_BIN,
  spawnNode,
  startServerProcess,
  type NodeProcess,
  type OpenkmsOptions,
  type ProcessExit,
  type ServerProcess,
  type SpawnOptions,
} from './out-of-process';
export { newTenant, writeTokenFile, type TestTenant } from './tenants';
