import cluster, { type Worker } from 'node:cluster';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { RootKey } from '@openkms/core';
import { createTokenFileIfAbsent } from './auth/token-registry';
import { printDevelopmentToken } from './development-token-banner';
import type { ServerConfig } from './config';

/**
 * `--workers N`: this process serves nothing itself; it prepares what the workers share, forks
 * N workers that each run the whole server on the same port (node:cluster hands connections
 * to them), replaces a worker that dies, and on SIGTERM/SIGINT stops them all gracefully.
 */
export function runClusterPrimary(config: ServerConfig, logger: Logger): void {
  const workers = config.workers ?? 1;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Created here, once, so that workers starting together never race to create them.
  if (config.rootKey === undefined) RootKey.loadOrCreateFile(config.rootKeyFile);
  const developmentToken = createTokenFileIfAbsent(config.tokenFile);
  if (developmentToken) logger.warn({ token_file: config.tokenFile }, 'created a token file with one development token');

  // The root key given in the environment goes to the workers only, never to anything else.
  const workerEnv = config.rootKey === undefined ? {} : { OPENKMS_ROOT_KEY: config.rootKey };
  let stopping = false;
  let announced = false;

  const fork = (): Worker => cluster.fork(workerEnv);
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${address.port}`;
    logger.info({ url, workers }, 'openkms cluster listening');
    if (developmentToken) printDevelopmentToken(developmentToken, url);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('openkms cluster stopped');
        process.exitCode = 0;
      }
      return;
    }
    logger.error({ worker_pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
    fork();
  });
  for (let n = 0; n < workers; n++) fork();

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the cluster');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
