import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AccessKeyService, KmsService, readActiveRootKeyId, type NewAccessKey } from '@openkms/core';
import { operationIds } from '../generated';
import type { AccessKeyCredential, AccessKeyResolver } from '../auth/access-key-resolver';
import { withFixedAccessKeys } from '../auth/fixed-access-keys';
import { StoredAccessKeys, type StoredAccessKeysOptions } from '../auth/stored-access-keys';
import { readTokenFile, TokenRegistry } from '../auth/token-registry';
import { dataDirPaths, type ServerConfig } from '../config';
import { createFileAuditSink, type AuditSink } from '../audit/audit-log';
import { createApp } from '../http/app';
import { answerClientError, refuseConnect } from '../http/client-error';
import { serveExpectations } from '../http/expectations';
import { connectionsPerProcess, isRefusedConnection, limitConnections } from './connection-limit';
import { provisionAccessKeys } from './access-key-store';
import { createDevelopmentCredentialsIfAbsent, type DevelopmentCredentials } from './development-credentials';
import { requireOwnerOnly, requireServerFilesOwnerOnly } from './file-permissions';
import { ServerMetrics } from '../metrics/server-metrics';
import { createLogger } from './logger';
import { loadRootKeys } from './root-keys';
import { describeStore, openStore } from './store';
import { startKeyPurge } from './key-purge';
import { startKeyRotation } from './key-rotation';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** The stored access keys as this server resolves them (with its short cache), for signed requests. */
  readonly accessKeys: AccessKeyResolver;
  /** Set when this start created the token file (and a development access key): shown once to the operator, never logged. */
  readonly developmentToken: DevelopmentCredentials | undefined;
  /**
   * Reads the root key files again (SIGHUP) and holds the keys they name from now on, after
   * checking them against the store; on any failure the keys held before stay in use.
   * Resolves whether the new keys were taken.
   */
  reloadRootKeys(): Promise<boolean>;
  /**
   * Reads the token file again (SIGHUP): a removed token is refused from the next request on.
   * A file that cannot be read, is invalid or is open to other users leaves the tokens held
   * before in use, and is logged (never a token). Returns whether the new tokens were taken.
   */
  reloadTokens(): boolean;
  /** Opens the audit log at its path again (SIGHUP, after logrotate moved it); false (logged) if it cannot be opened yet. */
  reopenAuditLog(): boolean;
  /** Stops accepting connections, finishes in-flight requests, closes the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Access keys with fixed IDs and secrets, created in the store at start unless their ID exists
   * (the test launcher's tenants; with `--store memory` there is no other way in).
   */
  readonly accessKeys?: readonly (NewAccessKey & { readonly accessKeyId: string })[];
  /** The access key cache's time and clock (default 2 s, the system's); tests give a clock of their own. */
  readonly accessKeyCache?: Pick<StoredAccessKeysOptions, 'cacheMs' | 'now'>;
  /** Access keys held in this process only, never written to the store (dev mode's fixed pair); they answer before the store. */
  readonly fixedAccessKeys?: readonly AccessKeyCredential[];
  /** Runs once the service is open, before the server listens (dev mode's seed); a failure stops the start. */
  readonly prepare?: (service: KmsService) => Promise<void>;
  /** Runs once the server listens, before it logs so (the command's pid file); a failure closes it and stops the start. */
  readonly listening?: () => void;
}

/**
 * Opens the store, loads the root key and tokens, and listens. Fails fast on any misconfiguration.
 * In-process callers (tests, the test launcher) build the config with resolveServerConfig({ port: 0, … }).
 */
export async function startServer(
  config: ServerConfig,
  logger: Logger = createLogger(config),
  options: StartOptions = {},
): Promise<RunningServer> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  requireServerFilesOwnerOnly(config);

  logger.info(describeStore(config.store), 'opening the key store');
  const metrics = config.metrics ? new ServerMetrics(operationIds) : undefined;
  const openedStore = await openStore(config.store, config.dataDir, logger, config);
  const store = metrics ? metrics.instrumentStore(openedStore) : openedStore;
  let service: KmsService;
  let accessKeyService: AccessKeyService;
  let developmentToken: DevelopmentCredentials | undefined;
  let tokens: TokenRegistry;
  try {
    // The store says whether a missing root key file may be created (a new store) or is lost.
    const rootKeys = loadRootKeys(config, { create: 'when-safe', storeActiveRootKey: await readActiveRootKeyId(store) });
    logger.info(
      { ...rootKeys.description, created: rootKeys.created },
      rootKeys.created ? 'created a new root key file' : 'root keys loaded',
    );
    service = await KmsService.open({
      store,
      rootKey: rootKeys.rootKey,
      previousRootKeys: rootKeys.previousRootKeys,
      region: config.region,
      maxKeysPerProject: config.maxKeysPerProject,
      minPendingDays: config.devMinPendingDays,
    });
    if (config.devMinPendingDays !== undefined) {
      // Loud on purpose: a server that destroys keys sooner than the API allows is for local testing only.
      logger.warn(
        { dev_min_pending_days: config.devMinPendingDays, api_min_pending_days: 7 },
        'DEVELOPMENT OPTION ON: schedule-key-deletion accepts fewer than 7 days; keys may be destroyed sooner than the API allows. Never use this in production.',
      );
    }
    accessKeyService = await AccessKeyService.open({ store, rootKey: rootKeys.rootKey, previousRootKeys: rootKeys.previousRootKeys });
    await provisionAccessKeys(store, accessKeyService, options.accessKeys ?? []);
    await options.prepare?.(service);
    developmentToken = await createDevelopmentCredentialsIfAbsent(config.tokenFile, accessKeyService);
    if (developmentToken) {
      logger.warn(
        { token_file: config.tokenFile, access_key_id: developmentToken.accessKeyId },
        'created a token file with one development token, and a development access key',
      );
    }
    requireOwnerOnly(config.tokenFile, 'token file');
    tokens = new TokenRegistry(readTokenFile(config.tokenFile));
  } catch (error) {
    await store.close();
    throw error;
  }

  logger.info({ active_root_key: service.rootKeyIds.active, held_root_keys: service.rootKeyIds.held }, 'root keys match the store');

  // Read from the store on every instance, each answer reused for 2 s at most: a revocation needs no restart.
  const accessKeys = withFixedAccessKeys(
    new StoredAccessKeys({ source: accessKeyService, ...options.accessKeyCache }),
    options.fixedAccessKeys ?? [],
  );
  let accepting = true;
  let audit: AuditSink;
  try {
    audit = createFileAuditSink(dataDirPaths(config.dataDir).auditLog, logger);
  } catch (error) {
    await store.close();
    throw error;
  }
  const app = createApp({
    service,
    tokens,
    logger,
    audit,
    accessKeys,
    rateLimits: config.rateLimits,
    metrics,
    validateResponses: config.validateResponses,
    isReady: () => accepting,
    // A read of a row every request needs: it checks the connection and the tables.
    probeStore: () => readActiveRootKeyId(store),
  });
  const { headersTimeoutMs: headersTimeout, requestTimeoutMs: requestTimeout } = config;
  // A request on a connection refused over the limit has had its 503 already.
  const serve = (req: IncomingMessage, res: ServerResponse) => void (isRefusedConnection(req.socket) || app(req, res));
  // Node checks these timeouts only every connectionsCheckingInterval (30 s by default), so
  // a slow client would hold its connection far past the limit without a shorter interval.
  // requireHostHeader: the app refuses a missing Host itself, with the KMS body (http/request-head.ts).
  const server: Server = createServer(
    { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout / 2), requireHostHeader: false },
    serve,
  );
  serveExpectations(server, serve);
  limitConnections(server, connectionsPerProcess(config));
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
  // bounded (above), and so is the number of connections (limitConnections).
  server.on('clientError', answerClientError);
  server.on('connect', refuseConnect);
  try {
    options.listening?.();
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    await audit.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, ...describeStore(config.store), data_dir: config.dataDir, region: config.region }, 'openkms server listening');
  const keyPurge = startKeyPurge(service, config.purgeIntervalMs, logger);
  const keyRotation = startKeyRotation(service, config.rotationCheckIntervalMs, logger);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    accessKeys,
    developmentToken,
    reloadRootKeys: async () => {
      try {
        const reloaded = loadRootKeys(config, { create: 'when-safe', storeActiveRootKey: await readActiveRootKeyId(store) });
        await service.replaceRootKeys(reloaded.rootKey, reloaded.previousRootKeys);
        await accessKeyService.replaceRootKeys(reloaded.rootKey, reloaded.previousRootKeys);
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
    reloadTokens: () => {
      try {
        requireOwnerOnly(config.tokenFile, 'token file');
        tokens.replace(readTokenFile(config.tokenFile));
        logger.info({ token_file: config.tokenFile, tokens: tokens.size }, 'tokens reloaded');
        return true;
      } catch (error) {
        logger.error({ err: error, token_file: config.tokenFile }, 'token reload failed; keeping the tokens held before');
        return false;
      }
    },
    reopenAuditLog: () => {
      try {
        audit.reopen();
        return true;
      } catch (error) {
        logger.error({ err: error }, 'the audit log could not be reopened; requests are refused until it can be written');
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
        await keyPurge.stop();
        await keyRotation.stop();
        await store.close();
        await audit.close();
        logger.info('openkms server stopped');
      })();
      return closing;
    },
  };
}
