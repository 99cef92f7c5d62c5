/**
 * `startOpenKms`: the public, documented way for a project's tests (jest, vitest, node:test) to
 * start an OpenKMS server in-process on a random port, optionally seeded and with fixed
 * credentials. A thin entry over startTestServer, the launcher OpenKMS's own tests use.
 */
import { applySeed, type SeedOutcome } from '../dev/apply-seed';
import { DEV_ACCESS_KEY_ID_PATTERN, DEV_SECRET_KEY_PATTERN } from '../dev/dev-credentials';
import { checkSeedObject, loadSeedFile } from '../dev/seed-file';
import type { SeedDocument } from '../dev/seed-schema';
import { startTestServer, type TestServer, type TestServerOptions } from './in-process';
import { newTenant } from './tenants';

export interface OpenKmsOptions {
  /** Keys to create before the server listens: a seed file's path (YAML or JSON) or the seed itself. */
  readonly seed?: string | SeedDocument;
  /** Fixed credentials; each one left out is fresh and random. */
  readonly token?: string;
  readonly projectId?: string;
  /** 32 lower-case hex characters. */
  readonly domainId?: string;
  /** A fixed access key pair for SDK-HMAC-SHA256 signatures, both or neither: the AK is 20 upper-case letters and digits, the SK 40 letters and digits. */
  readonly accessKeyId?: string;
  readonly secretKey?: string;
  /** `memory` (the default), `sqlite` or a PostgreSQL URL. */
  readonly store?: TestServerOptions<readonly [object]>['store'];
  /** Where the server keeps its files; default a temporary directory that stop() removes. */
  readonly dataDir?: string;
  /** The root key (64 hex characters); default a fresh one. Seeded data keys do not depend on it. */
  readonly rootKeyHex?: string;
  /** A pino logger; default silent. */
  readonly logger?: TestServerOptions<readonly [object]>['logger'];
}

/** A running server: `url`, `projectId`, `domainId`, `token`, `accessKeyId`, `secretKey`, `region`, `seeded`, and `stop()`. */
export interface OpenKms extends TestServer {
  /** Keys the seed created, and those it found already present (a reused dataDir). */
  readonly seeded: SeedOutcome;
}

/**
 * Starts an OpenKMS server in this process on 127.0.0.1 and a random port; resolves once it
 * listens. Call stop() when done (in afterAll / after). A bad or conflicting seed rejects with
 * `<file>:<line>: <reason>`.
 */
export async function startOpenKms(options: OpenKmsOptions = {}): Promise<OpenKms> {
  const source = typeof options.seed === 'string' ? options.seed : 'the seed option';
  const seed =
    options.seed === undefined
      ? undefined
      : typeof options.seed === 'string'
        ? loadSeedFile(options.seed)
        : checkSeedObject(options.seed, source);
  checkAccessKeyPair(options);
  let seeded: SeedOutcome = { created: 0, unchanged: 0 };
  const given = {
    token: options.token,
    projectId: options.projectId,
    domainId: options.domainId,
    accessKeyId: options.accessKeyId,
    secretKey: options.secretKey,
  };
  // The tenant is made here, so the seed knows its project before the server listens.
  const tenant = newTenant(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)));
  const server = await startTestServer({
    tenants: [tenant],
    store: options.store,
    dataDir: options.dataDir,
    rootKeyHex: options.rootKeyHex,
    logger: options.logger,
    prepare: async (service) => {
      if (seed) seeded = await applySeed(service, { domainId: tenant.domainId, projectId: tenant.projectId }, seed, source);
    },
  });
  return { ...server, seeded };
}

/** The pair's rules, as --dev-access-key/--dev-secret-key have them; an error names the option, never the SK. */
function checkAccessKeyPair({ accessKeyId, secretKey }: OpenKmsOptions): void {
  if ((accessKeyId === undefined) !== (secretKey === undefined)) {
    throw new Error('startOpenKms: accessKeyId and secretKey go together: give both or neither');
  }
  if (accessKeyId !== undefined && !DEV_ACCESS_KEY_ID_PATTERN.test(accessKeyId)) {
    throw new Error(`startOpenKms: accessKeyId ${JSON.stringify(accessKeyId)} must be 20 upper-case letters and digits`);
  }
  if (secretKey !== undefined && !DEV_SECRET_KEY_PATTERN.test(secretKey)) {
    throw new Error('startOpenKms: secretKey must be 40 letters and digits; the value given is not shown');
  }
}
