import cluster from 'node:cluster';
import { CommanderError } from 'commander';
import { forgetRootKeys, parseServeCommandLine, type Environment } from '../config';
import { startDevServer } from '../dev/dev-server';
import { SeedFileError } from '../dev/seed-file';
import { runClusterPrimary } from '../runtime/cluster';
import { printDevelopmentCredentials } from '../runtime/development-token-banner';
import { createLogger, fatalStartLine } from '../runtime/logger';
import { checkPidFile, removePidFile, writePidFile } from '../runtime/pid-file';
import { startServer, type RunningServer } from '../runtime/server';

/** `openkms-server [options]`: serves the API until SIGTERM/SIGINT; SIGHUP reopens the audit log and reloads the tokens and root keys. The pid file (runtime/pid-file.ts) names this process while it serves. */
export async function runServeCommand(argv: readonly string[], env: Environment): Promise<void> {
  let config;
  let dev;
  try {
    ({ config, dev } = parseServeCommandLine(argv, env));
  } catch (error) {
    // commander has already printed the reason (or the help text).
    process.exitCode = error instanceof CommanderError ? error.exitCode : 2;
    return;
  }
  // The root keys have been read; child processes and crash dumps need not see them.
  forgetRootKeys(env);

  const logger = createLogger(config);
  // One process answers for the data directory: the single server, or a cluster's primary (never a worker).
  const pidFile = cluster.isWorker ? undefined : dev ? dev.pidFile : config.pidFile;
  if (config.workers > 1 && cluster.isPrimary) {
    try {
      await runClusterPrimary(config, logger, pidFile);
    } catch (error) {
      logger.fatal({ err: error }, 'openkms cluster failed to start');
      process.stderr.write(fatalStartLine('the cluster failed to start', error));
      process.exitCode = 1;
    }
    return;
  }
  // Signals are taken before the server starts: the "listening" line can be read (and a
  // SIGTERM sent) before this function resumes, and Node's default for an unhandled SIGTERM is
  // to die at once. A stop asked for during the start is carried out when the start is done.
  let running: RunningServer | undefined;
  let stopping = false;
  const stop = (server: RunningServer) => {
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish in 10 s; exiting');
      if (pidFile) removePidFile(pidFile);
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close().then(
      () => {
        if (pidFile) removePidFile(pidFile);
        process.exitCode = 0;
        // A cluster worker's IPC channel to the primary would keep it alive after the server closed.
        if (cluster.isWorker) cluster.worker?.disconnect();
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        if (pidFile) removePidFile(pidFile);
        process.exitCode = 1;
      },
    );
  };
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C reaches a whole cluster, and its primary signals each worker too) changes nothing.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (running) return stop(running);
    // Still starting: stopped when the start is done, or here if it hangs (a database that does not answer).
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  // SIGHUP: reopen the audit log (logrotate), take the token file as it is now, and hold the
  // root keys the files name now (the first step of a rotation), without a restart. During the
  // start there is nothing to reload: the start reads the files as they are.
  const reload = () => {
    if (stopping || !running) return;
    running.reopenAuditLog();
    running.reloadTokens();
    void running.reloadRootKeys();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', reload);
  try {
    const stalePid = pidFile === undefined ? undefined : checkPidFile(pidFile);
    if (stalePid !== undefined)
      logger.warn({ pid_file: pidFile, stale_pid: stalePid }, 'the pid file names a process that is gone; replacing it');
    // Written once the server listens and before it says so: `reload` never signals a server still
    // starting, and whoever waits for the "listening" line finds the file written.
    const listening = pidFile === undefined ? undefined : () => writePidFile(pidFile);
    running = dev ? await startDevServer(dev, logger, undefined, listening) : await startServer(config, logger, { listening });
  } catch (error) {
    process.off('SIGTERM', shutdown);
    process.off('SIGINT', shutdown);
    process.off('SIGHUP', reload);
    if (error instanceof SeedFileError) {
      // A bad seed is the user's input: one line naming the file, line and reason.
      process.stderr.write(`openkms-server: seed refused: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    // A start that failed after listening may have written the pid file: it names no server now.
    if (pidFile) removePidFile(pidFile);
    logger.fatal({ err: error }, 'openkms server failed to start');
    process.stderr.write(fatalStartLine('failed to start', error));
    process.exitCode = 1;
    // A cluster worker's IPC channel would keep it alive, and its primary waiting, forever.
    if (cluster.isWorker) cluster.worker?.disconnect();
    return;
  }
  if (stopping) return stop(running);

  if (running.developmentToken) printDevelopmentCredentials(running.developmentToken, running.url);
}
