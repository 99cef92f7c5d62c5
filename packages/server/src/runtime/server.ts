import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { KmsService, readActiveRootKeyId } from '@openkms/core';
import { operationIds } from '../generated';
import { createTokenFileIfAbsent, readTokenFile, TokenRegistry, type DevelopmentToken } from '../auth/token-registry';
import { dataDirPaths, type ServerConfig } from '../config';
import { createFileAuditSink } from '../audit/audit-log';
import { createApp } from '../http/app';
import { answerClientError } from '../http/client-error';
import { ServerMetrics } from '../metrics/server-metrics';
import { createLogger } from './logger';
import { loadRootKeys } from './root-keys';
import { describeStore, openStore } from './store';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Set when this start created the token file: shown once to the operator, never logged. */
  readonly developmentToken: DevelopmentToken | undefined;
  /**
   * Reads the root key files again (SIGHUP) and holds the keys they name from now on, after
   * checking them against the store; on any failure the keys held before stay in use.
   * Resolves whether the new keys were taken.
   */
  reloadRootKeys(): Promise<boolean>;
  /** Stops accepting connections, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store, loads the root key and tokens, and listens. Fails fast on any misconfiguration.
 * In-process callers (tests, the test launcher) build the config with resolveServerConfig({ port: 0, … }).
 */
export async function startServer(config: ServerConfig, logger: Logger = createLogger(config)): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  logger.info(describeStore(config.store), 'opening the key store');
  const metrics = config.metrics ? new ServerMetrics(operationIds) : undefined;
  const openedStore = await openStore(config.store, config.dataDir, logger, config);
  const store = metrics ? metrics.instrumentStore(openedStore) : openedStore;
  let service: KmsService;
  let developmentToken: DevelopmentToken | undefined;
  let tokens: TokenRegistry;
  try {
    // The store says whether a missing root key file may be created (a new store) or is lost.
    const rootKeys = loadRootKeys(config, { create: 'when-safe', storeActiveRootKey: await readActiveRootKeyId(store) });
    logger.info(
      { ...rootKeys.description, created: rootKeys.created },
      rootKeys.created ? 'created a new root key file' : 'root keys loaded',
    );
    developmentToken = createTokenFileIfAbsent(config.tokenFile);
    if (developmentToken) logger.warn({ token_file: config.tokenFile }, 'created a token file with one development token');
    tokens = new TokenRegistry(readTokenFile(config.tokenFile));
    service = await KmsService.open({
      store,
      rootKey: rootKeys.rootKey,
      previousRootKeys: rootKeys.previousRootKeys,
      region: config.region,
      maxKeysPerProject: config.maxKeysPerProject,
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  logger.info({ active_root_key: service.rootKeyIds.active, held_root_keys: service.rootKeyIds.held }, 'root keys match the store');

  let accepting = true;
  const audit = createFileAuditSink(dataDirPaths(config.dataDir).auditLog);
  const app = createApp({
    service,
    tokens,
    logger,
    audit,
    rateLimits: config.rateLimits,
    metrics,
    validateResponses: config.validateResponses,
    isReady: () => accepting,
    // A read of a row every request needs: it checks the connection and the tables.
    probeStore: () => readActiveRootKeyId(store),
  });
  const { headersTimeoutMs: headersTimeout, requestTimeoutMs: requestTimeout } = config;
  // Node checks these timeouts only every connectionsCheckingInterval (30 s by default), so
  // a slow client would hold its connection far past the limit without a shorter interval.
  const server: Server = createServer(
    { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout / 2) },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Keep-alive sockets must not hold a shutdown open for long.
  server.keepAliveTimeout = 5_000;
  // Slow or stuck clients must not hold connections: headers, then the whole request, are
  // bounded (above), and so is the number of connections.
  server.maxConnections = config.maxConnections;
  server.on('clientError', answerClientError);
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, ...describeStore(config.store), data_dir: config.dataDir, region: config.region }, 'openkms server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    developmentToken,
    reloadRootKeys: async () => {
      try {
        const reloaded = loadRootKeys(config, { create: 'when-safe', storeActiveRootKey: await readActiveRootKeyId(store) });
        await service.replaceRootKeys(reloaded.rootKey, reloaded.previousRootKeys);
        logger.info(
          {
            ...reloaded.description,
            created: reloaded.created,
            active_root_key: service.rootKeyIds.active,
            held_root_keys: service.rootKeyIds.held,
          },
          'root keys reloaded',
        );
        return true;
      } catch (error) {
        logger.error({ err: error, held_root_keys: service.rootKeyIds.held }, 'root key reload failed; keeping the root keys held before');
        return false;
      }
    },
    close: () => {
      closing ??= (async () => {
        accepting = false;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await store.close();
        await audit.close();
        logger.info('openkms server stopped');
      })();
      return closing;
    },
  };
}
