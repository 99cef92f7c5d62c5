import cluster, { type Worker } from 'node:cluster';
import { existsSync, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { AccessKeyService, readActiveRootKeyId } from '@openkms/core';
import { createDevelopmentCredentialsIfAbsent, type DevelopmentCredentials } from './development-credentials';
import { printDevelopmentCredentials } from './development-token-banner';
import { ENVIRONMENT_VARIABLES, type ServerConfig } from '../config';
import { requireServerFilesOwnerOnly } from './file-permissions';
import { fatalStartLine } from './logger';
import { checkPidFile, removePidFile, writePidFile } from './pid-file';
import { serveClusterMetrics } from '../metrics/cluster-metrics';
import { loadRootKeys } from './root-keys';
import { openStore } from './store';

/**
 * Creates a missing root key file where that is safe (a new store, or the start of a
 * rotation), once, here, so that workers (reloading on SIGHUP) never race to.
 */
async function prepareRootKeyFile(config: ServerConfig, logger: Logger): Promise<void> {
  if (config.rootKey !== undefined) return;
  const store = await openStore(config.store, config.dataDir, logger, config);
  try {
    loadRootKeys(config, { create: 'when-safe', storeActiveRootKey: await readActiveRootKeyId(store) });
  } finally {
    await store.close();
  }
}

/**
 * At start: what prepareRootKeyFile does, and on first start the development credentials, once, here, so that workers
 * starting together never race to. Also applies the store's migrations before any worker opens it.
 */
async function prepareSharedFiles(config: ServerConfig, logger: Logger): Promise<DevelopmentCredentials | undefined> {
  await prepareRootKeyFile(config, logger);
  // Not a first start: the workers check the root keys against the store themselves, and report it.
  if (existsSync(config.tokenFile)) return undefined;
  const store = await openStore(config.store, config.dataDir, logger);
  try {
    const rootKeys = loadRootKeys(config, { create: 'never' });
    const accessKeys = await AccessKeyService.open({ store, rootKey: rootKeys.rootKey, previousRootKeys: rootKeys.previousRootKeys });
    return await createDevelopmentCredentialsIfAbsent(config.tokenFile, accessKeys);
  } finally {
    await store.close();
  }
}

/**
 * `--workers N`: this process serves nothing itself; it prepares what the workers share, forks
 * N workers that each run the whole server on the same port (node:cluster hands connections
 * to them), replaces a worker that dies, and on SIGTERM/SIGINT stops them all gracefully.
 */
export async function runClusterPrimary(config: ServerConfig, logger: Logger, pidFile?: string): Promise<void> {
  const { workers } = config;
  // The pid file names this primary, which passes SIGHUP on to the workers.
  const stalePid = pidFile === undefined ? undefined : checkPidFile(pidFile);
  if (stalePid !== undefined)
    logger.warn({ pid_file: pidFile, stale_pid: stalePid }, 'the pid file names a process that is gone; replacing it');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  requireServerFilesOwnerOnly(config);
  const developmentToken = await prepareSharedFiles(config, logger);
  if (developmentToken) {
    logger.warn(
      { token_file: config.tokenFile, access_key_id: developmentToken.accessKeyId },
      'created a token file with one development token, and a development access key',
    );
  }

  // Root keys given in the environment go to the workers only, never to anything else.
  const workerEnv = {
    ...(config.rootKey !== undefined && { [ENVIRONMENT_VARIABLES.rootKey]: config.rootKey }),
    ...(config.previousRootKey !== undefined && { [ENVIRONMENT_VARIABLES.previousRootKey]: config.previousRootKey }),
  };
  let stopping = false;
  let stopExitCode = 0;
  let announced = false;

  const fork = (): Worker => cluster.fork(workerEnv);
  // A worker answering a scrape asks here for every worker's metrics.
  if (config.metrics) serveClusterMetrics();
  const listened = new Set<number>();
  cluster.on('listening', (worker, address) => {
    listened.add(worker.id);
    if (announced) return;
    announced = true;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${address.port}`;
    if (pidFile) {
      try {
        writePidFile(pidFile);
      } catch (error) {
        logger.fatal({ err: error }, 'openkms cluster failed to start');
        process.stderr.write(fatalStartLine('the cluster failed to start', error));
        shutdown('SIGTERM', 1);
        return;
      }
    }
    logger.info({ url, workers }, 'openkms cluster listening');
    if (developmentToken) printDevelopmentCredentials(developmentToken, url);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        if (pidFile) removePidFile(pidFile);
        logger.info('openkms cluster stopped');
        process.exitCode = stopExitCode;
      }
      return;
    }
    if (!listened.has(worker.id)) {
      // It failed before serving (a wrong root key, an unreachable store): another would fail the same way.
      logger.fatal({ worker_pid: worker.process.pid, code, signal }, 'a worker failed to start; stopping the cluster');
      process.exitCode = 1;
      shutdown('SIGTERM', 1);
      return;
    }
    logger.error({ worker_pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
    fork();
  });
  for (let n = 0; n < workers; n++) fork();

  function shutdown(signal: NodeJS.Signals, exitCode = 0): void {
    if (stopping) return;
    stopping = true;
    stopExitCode = exitCode;
    logger.info({ signal }, 'shutting down the cluster');
    const workersLeft = Object.values(cluster.workers ?? {});
    for (const worker of workersLeft) worker?.process.kill('SIGTERM');
    if (workersLeft.length === 0) process.exitCode = exitCode;
  }
  // Node passes the signal's number as a second argument: not an exit code.
  process.on('SIGTERM', (signal) => shutdown(signal));
  process.on('SIGINT', (signal) => shutdown(signal));
  // SIGHUP: every worker reopens its audit log and reloads its tokens and root keys. A missing
  // root key file is created here first, so workers never race to; if that fails, the workers
  // still reload (their own root key reload then fails the same way, and keeps the keys held).
  process.on('SIGHUP', () => {
    if (stopping) return;
    const signalWorkers = () => {
      // Only workers already serving have a SIGHUP handler; one still starting reads the files itself.
      for (const worker of Object.values(cluster.workers ?? {})) if (worker && listened.has(worker.id)) worker.process.kill('SIGHUP');
    };
    prepareRootKeyFile(config, logger).then(signalWorkers, (error: unknown) => {
      logger.error({ err: error }, 'root key reload failed; the workers keep the root keys they hold');
      signalWorkers();
    });
  });
}
