/**
 * The reference server started inside the test's own process, on 127.0.0.1 and a free port,
 * with callers of its own: for tests that call it over HTTP and need no process of their own.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import {
  startServer,
  testServerConfig,
  type RunningServer,
  type ServerConfigInput,
  type StartOptions,
  type StoreSetting,
} from './server-internals';
import { newTenant, tenantAccessKeys, writeTokenFile, type TestTenant } from './tenants';

export interface TestServerOptions<T extends readonly Partial<TestTenant>[]> {
  /** Where the server keeps its files; by default a fresh temporary directory that stop() removes. */
  readonly dataDir?: string;
  /** `memory` (the default), `sqlite` (a file in the data directory) or a PostgreSQL URL. */
  readonly store?: StoreSetting;
  /**
   * The callers, one tenant each: the token file grants each its token, and the store holds its
   * access key (AK/SK) at start. Fields left out are generated. Default: one fresh tenant.
   */
  readonly tenants?: T;
  /** The root key, 64 hex characters, given directly (no root key file is written). Default: a fresh one. */
  readonly rootKeyHex?: string;
  /** Default: a silent logger. */
  readonly logger?: Logger;
  /** The access key cache's time and clock (default 2 s, the system's), e.g. a test clock to watch a revocation arrive. */
  readonly accessKeyCache?: StartOptions['accessKeyCache'];
  /** Runs once the service is open, before the server listens (startOpenKms applies its seed here). */
  readonly prepare?: StartOptions['prepare'];
  /** Any other setting (region, key limit, rate limits, timeouts…); wins over everything above. */
  readonly config?: ServerConfigInput;
}

export type TestTenants<T extends readonly unknown[]> = { readonly [K in keyof T]: TestTenant };

/** A running test server; its first tenant's projectId, domainId, token, accessKeyId and secretKey are on the object itself. */
export interface TestServer<T extends readonly Partial<TestTenant>[] = readonly [Record<never, never>]> extends TestTenant {
  readonly url: string;
  readonly port: number;
  readonly tenants: TestTenants<T>;
  readonly dataDir: string;
  readonly rootKeyHex: string;
  readonly region: string;
  readonly server: RunningServer;
  /** Closes the server (again is harmless) and removes the data directory if the launcher made it. */
  stop(): Promise<void>;
}

/** Starts the reference server in this process with a fresh token file, and resolves once it listens. */
export async function startTestServer<const T extends readonly Partial<TestTenant>[] = readonly [Record<never, never>]>(
  options: TestServerOptions<T> = {},
): Promise<TestServer<T>> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'openkms-test-server-'));
  const removeOwnDataDir = () => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const tenants = (options.tenants ?? [{}]).map((fields) => newTenant(fields));
  const first = tenants[0];
  if (!first) throw new Error('a test server needs at least one tenant');
  const rootKeyHex = options.rootKeyHex ?? randomBytes(32).toString('hex');
  const config = testServerConfig(dataDir, { store: options.store ?? 'memory', rootKey: rootKeyHex, ...options.config });

  let server: RunningServer;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeTokenFile(config.tokenFile, tenants);
    server = await startServer(config, options.logger ?? pino({ level: config.logLevel }), {
      accessKeys: tenantAccessKeys(tenants),
      accessKeyCache: options.accessKeyCache,
      prepare: options.prepare,
    });
  } catch (error) {
    removeOwnDataDir();
    throw error;
  }
  return {
    ...first,
    url: server.url,
    port: server.port,
    tenants: tenants as unknown as TestTenants<T>,
    dataDir,
    rootKeyHex,
    region: config.region,
    server,
    stop: async () => {
      await server.close();
      removeOwnDataDir();
    },
  };
}
