export { DEFAULTS } from './defaults';
export { DATA_DIR_FILES, dataDirPaths, type DataDirFile } from './data-dir';
export { ENVIRONMENT_VARIABLES, forgetRootKeys, type Environment } from './environment';
export {
  ConfigError,
  LOG_FORMATS,
  LOG_LEVELS,
  resolveDataDir,
  resolveKeyStoreConfig,
  resolveServerConfig,
  type KeyStoreConfig,
  type ConfigContext,
  type KeyStoreConfigInput,
  type LogFormat,
  type LogLevel,
  type ServerConfig,
  type ServerConfigInput,
  type StoreSetting,
} from './server-config';
export {
  resolveBackupConfig,
  resolveRewrapConfig,
  type BackupConfig,
  type BackupConfigInput,
  type RewrapConfig,
  type RewrapConfigInput,
} from './maintenance-config';
export {
  addDataDirOption,
  addKeyStoreOptions,
  addStoreOption,
  buildCommand,
  integer,
  parseConfig,
  parseOptions,
  parseServeCommandLine,
  ROOT_KEY_HELP,
  rootKeysFrom,
  settingsCommand,
} from './command-line';
