export { createApp, kmsApi, MAX_BODY_BYTES, type AppApi, type AppOptions, type OperationHandler } from './http/app';
export type { ApiDocument } from './http/api-spec';
export { createFileAuditSink } from './audit/audit-log';
export { startServer, type RunningServer } from './runtime/server';
export {
  parseConfig,
  resolveServerConfig,
  DEFAULTS,
  DATA_DIR_FILES,
  dataDirPaths,
  type ServerConfig,
  type ServerConfigInput,
  type Environment,
} from './config';
export { TokenRegistry, readTokenFile, createTokenFileIfAbsent, sha256Hex, type TokenGrant } from './auth/token-registry';
export { createOperationHandlers, type RequestContext } from './handlers';
