import { CommanderError } from 'commander';
import pino from 'pino';
import { parseConfig } from './config';
import { startServer } from './server';

/** Entry point of the `openkms-server` command. */
export async function main(argv: readonly string[]): Promise<void> {
  let config;
  try {
    config = parseConfig(argv);
  } catch (error) {
    // commander has already printed the reason (or the help text).
    process.exitCode = error instanceof CommanderError ? error.exitCode : 2;
    return;
  }
  // The root key has been read; child processes and crash dumps need not see it.
  delete process.env.OPENKMS_ROOT_KEY;

  const logger = pino({ level: config.logLevel });
  let running;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'openkms server failed to start');
    process.exitCode = 1;
    return;
  }

  if (running.developmentToken) {
    // Shown once on the terminal, deliberately outside the structured log.
    const { token, domainId, projectId } = running.developmentToken;
    process.stderr.write(
      [
        '',
        'OpenKMS created a development token (stored only as a hash; this is the only time it is shown):',
        `  X-Auth-Token: ${token}`,
        `  project_id:   ${projectId}`,
        `  domain_id:    ${domainId}`,
        `Try: curl -s -X POST ${running.url}/v1.0/${projectId}/kms/create-key \\`,
        `       -H 'Content-Type: application/json' -H 'X-Auth-Token: ${token}' -d '{"key_alias":"demo"}'`,
        '',
      ].join('\n') + '\n',
    );
  }

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('in-flight requests did not finish in 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    running.close().then(
      () => {
        process.exitCode = 0;
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
