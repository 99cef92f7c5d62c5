import cluster from 'node:cluster';
import { CommanderError } from 'commander';
import { forgetRootKeys, parseConfig, type Environment } from '../config';
import { runClusterPrimary } from '../runtime/cluster';
import { printDevelopmentToken } from '../runtime/development-token-banner';
import { createLogger, fatalStartLine } from '../runtime/logger';
import { startServer } from '../runtime/server';

/** `openkms-server [options]`: serves the API until SIGTERM/SIGINT; SIGHUP reloads the root keys. */
export async function runServeCommand(argv: readonly string[], env: Environment): Promise<void> {
  let config;
  try {
    config = parseConfig(argv, env);
  } catch (error) {
    // commander has already printed the reason (or the help text).
    process.exitCode = error instanceof CommanderError ? error.exitCode : 2;
    return;
  }
  // The root keys have been read; child processes and crash dumps need not see them.
  forgetRootKeys(env);

  const logger = createLogger(config);
  if (config.workers > 1 && cluster.isPrimary) {
    try {
      await runClusterPrimary(config, logger);
    } catch (error) {
      logger.fatal({ err: error }, 'openkms cluster failed to start');
      process.stderr.write(fatalStartLine('the cluster failed to start', error));
      process.exitCode = 1;
    }
    return;
  }
  let running;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'openkms server failed to start');
    process.stderr.write(fatalStartLine('failed to start', error));
    process.exitCode = 1;
    // A cluster worker's IPC channel would keep it alive, and its primary waiting, forever.
    if (cluster.isWorker) cluster.worker?.disconnect();
    return;
  }

  if (running.developmentToken) printDevelopmentToken(running.developmentToken, running.url);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C reaches a whole cluster, and its primary signals each worker too) changes nothing.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish in 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    running.close().then(
      () => {
        process.exitCode = 0;
        // A cluster worker's IPC channel to the primary would keep it alive after the server closed.
        if (cluster.isWorker) cluster.worker?.disconnect();
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // SIGHUP: hold the root keys the files name now (the first step of a rotation), without a restart.
  process.on('SIGHUP', () => {
    if (!stopping) void running.reloadRootKeys();
  });
}
