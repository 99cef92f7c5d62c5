/**
 * The process environment as the commands receive it: read once by the executable and passed down,
 * so tests (and the cluster's workers) give it explicitly instead of editing process.env.
 */
export type Environment = Record<string, string | undefined>;

/** The variable behind each setting (flags win over variables, variables over defaults). */
export const ENVIRONMENT_VARIABLES = Object.freeze({
  host: 'OPENKMS_HOST',
  port: 'OPENKMS_PORT',
  dataDir: 'OPENKMS_DATA_DIR',
  store: 'OPENKMS_STORE',
  rootKey: 'OPENKMS_ROOT_KEY',
  rootKeyFile: 'OPENKMS_ROOT_KEY_FILE',
  previousRootKey: 'OPENKMS_PREVIOUS_ROOT_KEY',
  previousRootKeyFile: 'OPENKMS_PREVIOUS_ROOT_KEY_FILE',
  tokenFile: 'OPENKMS_TOKEN_FILE',
  pidFile: 'OPENKMS_PID_FILE',
  region: 'OPENKMS_REGION',
  maxKeysPerProject: 'OPENKMS_MAX_KEYS_PER_PROJECT',
  logLevel: 'OPENKMS_LOG_LEVEL',
  logFormat: 'OPENKMS_LOG_FORMAT',
  metrics: 'OPENKMS_METRICS',
  validateResponses: 'OPENKMS_VALIDATE_RESPONSES',
  rateLimits: 'OPENKMS_RATE_LIMITS',
  headersTimeoutMs: 'OPENKMS_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'OPENKMS_REQUEST_TIMEOUT_MS',
  maxConnections: 'OPENKMS_MAX_CONNECTIONS',
  workers: 'OPENKMS_WORKERS',
  dbConnectTimeoutMs: 'OPENKMS_DB_CONNECT_TIMEOUT_MS',
  dbQueryTimeoutMs: 'OPENKMS_DB_QUERY_TIMEOUT_MS',
  purgeIntervalMs: 'OPENKMS_PURGE_INTERVAL_MS',
  rotationCheckIntervalMs: 'OPENKMS_ROTATION_CHECK_INTERVAL_MS',
  devMinPendingDays: 'OPENKMS_DEV_MIN_PENDING_DAYS',
  // Dev mode (src/dev): --dev, its fixed credentials and --seed.
  dev: 'OPENKMS_DEV',
  devToken: 'OPENKMS_DEV_TOKEN',
  devProjectId: 'OPENKMS_DEV_PROJECT_ID',
  devDomainId: 'OPENKMS_DEV_DOMAIN_ID',
  devAccessKey: 'OPENKMS_DEV_ACCESS_KEY',
  devSecretKey: 'OPENKMS_DEV_SECRET_KEY',
  seed: 'OPENKMS_SEED',
} as const);

export type EnvironmentSetting = keyof typeof ENVIRONMENT_VARIABLES;

/** The variable for a command-line option's attribute name, if it has one. */
export function environmentVariableOf(attribute: string): string | undefined {
  return Object.hasOwn(ENVIRONMENT_VARIABLES, attribute) ? ENVIRONMENT_VARIABLES[attribute as EnvironmentSetting] : undefined;
}

/**
 * Removes the root keys from `env` once the configuration holds them, so that child processes
 * and crash dumps never see them (the executable passes process.env itself).
 */
export function forgetRootKeys(env: Environment): void {
  delete env[ENVIRONMENT_VARIABLES.rootKey];
  delete env[ENVIRONMENT_VARIABLES.previousRootKey];
}
