/**
 * The reference server as `startServer` runs it: real SQLite store, real files on disk,
 * a real TCP port, exercised with the generated client (@openkms/client) and plain fetch.
 * Blocks about the first start (the development token, files, root keys) call startServer
 * themselves; those that only need a running server and a caller use startOpenKms, as users do.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { Configuration, DataKeysApi, KeysApi } from '@openkms/client';
import { KmsService, RootKey, SqliteKeyStore } from '@openkms/core';
import { KEY_ID_PATTERN } from '@openkms/core';
import { startServer, type RunningServer, type ServerConfig, type ServerConfigInput } from '@openkms/server';
import { startOpenKms, testServerConfig, type OpenKms } from '@openkms/server/testing';

jest.setTimeout(30_000);

const REGION = 'live-test-1';

/** The token a server's first start creates (with the token file), shown once. */
type DevelopmentToken = NonNullable<RunningServer['developmentToken']>;
const UPPER_HEX = /^(?:[0-9A-F]{2})+$/;

let tempRoot: string;
let dirCounter = 0;
/** Every server a test started; afterEach closes them (close() is idempotent). */
const running: RunningServer[] = [];

beforeAll(() => {
  tempRoot = mkdtempSync(join(tmpdir(), 'openkms-live-'));
});

afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((server) => server.close()));
});

afterAll(() => {
  rmSync(tempRoot, { recursive: true, force: true });
});

/** A data directory that does not exist yet, so the server must create it. */
function newDataDir(): string {
  dirCounter += 1;
  return join(tempRoot, `data-${dirCounter}`);
}

function configFor(dataDir: string, overrides: ServerConfigInput = {}): ServerConfig {
  return testServerConfig(dataDir, { region: REGION, maxKeysPerProject: 1000, logLevel: 'trace', ...overrides });
}

interface CapturedLog {
  readonly logger: Logger;
  /** Raw log lines, as written. */
  readonly lines: string[];
  /** The lines parsed as JSON. */
  entries(): Record<string, unknown>[];
}

/** A pino logger at `trace` that writes into memory. */
function captureLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(line);
      done();
    },
  });
  return {
    logger: pino({ level: 'trace' }, sink),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function start(config: ServerConfig, logger: Logger = pino({ level: 'silent' })): Promise<RunningServer> {
  const server = await startServer(config, logger);
  running.push(server);
  return server;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function devToken(server: RunningServer): DevelopmentToken {
  const token = server.developmentToken;
  if (!token) throw new Error('expected this start to create a development token');
  return token;
}

function clients(url: string, token: string) {
  const configuration = new Configuration({ basePath: url, apiKey: token });
  return { keys: new KeysApi(configuration), dataKeys: new DataKeysApi(configuration) };
}

/** What a rejected generated-client call threw (typescript-fetch of this generator throws the fetch Response). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

async function expectClientError(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  const thrown = await rejection(promise);
  expect(thrown).toBeInstanceOf(Response);
  const response = thrown as Response;
  const body = (await response.json()) as { error?: { error_code?: unknown; error_msg?: unknown } };
  expect({ status: response.status, code: body.error?.error_code }).toEqual({ status, code });
  expect(typeof body.error?.error_msg).toBe('string');
}

/** A raw JSON POST to an operation, for cases where the generated client would not send what we want. */
function post(
  url: string,
  projectId: string,
  operation: string,
  body: unknown,
  token: string | undefined,
  headers: Record<string, string> = {},
) {
  return fetch(`${url}/v1.0/${projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { 'X-Auth-Token': token }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Resolves with the connect error code (e.g. ECONNREFUSED), or 'connected'. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function openOffline(dataDir: string): Promise<{ service: KmsService; store: SqliteKeyStore }> {
  const store = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
  try {
    const rootKey = RootKey.fromEncoded(readFileSync(join(dataDir, 'root.key'), 'utf8'));
    return { service: await KmsService.open({ store, rootKey, region: REGION }), store };
  } catch (error) {
    await store.close();
    throw error;
  }
}

describe('first start and restart: files, modes, the development token', () => {
  it('creates the data dir 0700 and root.key, tokens.json, keys.sqlite 0600; the token is returned once and stored only as a hash', async () => {
    const dataDir = newDataDir();
    expect(existsSync(dataDir)).toBe(false);
    const first = await start(configFor(dataDir));
    const dev = devToken(first);
    expect(dev.token).toMatch(/^okms_[A-Za-z0-9_-]{20,}$/);
    expect(dev.domainId).toMatch(/^[0-9a-f]{32}$/);

    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'root.key'))).toBe(0o600);
    expect(mode(join(dataDir, 'tokens.json'))).toBe(0o600);
    expect(mode(join(dataDir, 'keys.sqlite'))).toBe(0o600);
    // SQLite's WAL side files hold the same data; they must not be wider than the database.
    for (const side of ['keys.sqlite-wal', 'keys.sqlite-shm']) {
      if (existsSync(join(dataDir, side))) expect([side, mode(join(dataDir, side))]).toEqual([side, 0o600]);
    }

    const rootKeyText = readFileSync(join(dataDir, 'root.key'), 'utf8');
    expect(rootKeyText.trim()).toMatch(/^[0-9a-fA-F]{64}$/);

    const tokenFileText = readFileSync(join(dataDir, 'tokens.json'), 'utf8');
    expect(tokenFileText).not.toContain(dev.token);
    expect(tokenFileText).not.toContain(dev.token.replace(/^okms_/, ''));
    expect(JSON.parse(tokenFileText)).toEqual({
      tokens: [{ name: 'development', token_sha256: sha256Hex(dev.token), domain_id: dev.domainId, projects: [dev.projectId] }],
    });
    await first.close();

    const second = await start(configFor(dataDir));
    expect(second.developmentToken).toBeUndefined();
    // The second start reuses both files untouched, and the first start's token still works.
    expect(readFileSync(join(dataDir, 'root.key'), 'utf8')).toBe(rootKeyText);
    expect(readFileSync(join(dataDir, 'tokens.json'), 'utf8')).toBe(tokenFileText);
    const res = await post(second.url, dev.projectId, 'create-key', { key_alias: 'after-restart' }, dev.token);
    expect(res.status).toBe(200);
    await second.close();
  });
});

/** A caller of a server started by startOpenKms, shaped as the development token the other blocks use. */
type Caller = Pick<DevelopmentToken, 'token' | 'projectId' | 'domainId'>;

describe('end to end with the generated client (@openkms/client)', () => {
  let server: OpenKms;
  let dev: Caller;

  beforeAll(async () => {
    // The public test helper, over the same real SQLite store and files on disk.
    server = await startOpenKms({ store: 'sqlite' });
    dev = { token: server.token, projectId: server.projectId, domainId: server.domainId };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends the token as X-Auth-Token and creates a key', async () => {
    const sentHeaders: Record<string, string>[] = [];
    const { keys } = clients(server.url, dev.token);
    const observed = keys.withPreMiddleware(async (context) => {
      sentHeaders.push({ ...(context.init.headers as Record<string, string>) });
    });
    const created = await observed.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'e2e-header' } });
    expect(created.key_info.key_id).toMatch(KEY_ID_PATTERN);
    expect(created.key_info.domain_id).toBe(dev.domainId);
    expect(sentHeaders).toHaveLength(1);
    expect(sentHeaders[0]?.['X-Auth-Token']).toBe(dev.token);
  });

  it('creates 512-bit data keys by key ID, by alias/NAME and by alias URN, all under the same key', async () => {
    const { keys, dataKeys } = clients(server.url, dev.token);
    const alias = 'e2e-orders';
    const created = await keys.createKey({
      projectId: dev.projectId,
      createKeyRequest: { key_alias: alias, key_description: 'end to end' },
    });
    const keyId = created.key_info.key_id;
    expect(keyId).toMatch(KEY_ID_PATTERN);

    const references = [keyId, `alias/${alias}`, `kms:${server.region}:${dev.domainId}:alias:${alias}`];
    const plainTexts: string[] = [];
    for (const reference of references) {
      const dataKey = await dataKeys.createDatakey({
        projectId: dev.projectId,
        createDatakeyRequest: { key_id: reference, datakey_length: '512' },
      });
      expect(dataKey.key_id).toBe(keyId);
      expect(dataKey.plain_text).toMatch(/^[0-9A-F]{128}$/);
      expect(dataKey.cipher_text).toMatch(UPPER_HEX);
      // The sealed form carries more than the key itself (nonce, tag, key ID).
      expect(dataKey.cipher_text.length).toBeGreaterThan(dataKey.plain_text.length);
      plainTexts.push(dataKey.plain_text);
    }
    expect(new Set(plainTexts).size).toBe(references.length);
  });

  it('a URN naming another region is 404 KMS.0207 through the client', async () => {
    const { keys, dataKeys } = clients(server.url, dev.token);
    await keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'e2e-region' } });
    await expectClientError(
      dataKeys.createDatakey({
        projectId: dev.projectId,
        createDatakeyRequest: { key_id: `kms:other-region-9:${dev.domainId}:alias:e2e-region`, datakey_length: '512' },
      }),
      404,
      'KMS.0207',
    );
  });

  it('a duplicate alias rejects with the error response: 400 KMS.1104', async () => {
    const { keys } = clients(server.url, dev.token);
    await keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'e2e-dup' } });
    await expectClientError(keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'e2e-dup' } }), 400, 'KMS.1104');
  });

  it('a wrong token rejects with 403 KMS.0302', async () => {
    const { keys } = clients(server.url, `${dev.token}x`);
    await expectClientError(keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'e2e-denied' } }), 403, 'KMS.0302');
  });
});

describe('restart persistence', () => {
  it('keys, aliases and data keys survive a restart; cipher texts decrypt offline with root.key', async () => {
    const dataDir = newDataDir();
    const first = await start(configFor(dataDir));
    const dev = devToken(first);
    const scope = { domainId: dev.domainId, projectId: dev.projectId };
    const before = clients(first.url, dev.token);
    const keyId = (await before.keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'persist' } })).key_info.key_id;
    const firstDataKey = await before.dataKeys.createDatakey({
      projectId: dev.projectId,
      createDatakeyRequest: { key_id: keyId, datakey_length: '512', encryption_context: { purpose: 'restart-test' } },
    });
    await first.close();

    const second = await start(configFor(dataDir));
    expect(second.developmentToken).toBeUndefined();
    const after = clients(second.url, dev.token);
    const secondDataKey = await after.dataKeys.createDatakey({
      projectId: dev.projectId,
      createDatakeyRequest: { key_id: 'alias/persist', datakey_length: '256' },
    });
    expect(secondDataKey.key_id).toBe(keyId);
    expect(secondDataKey.plain_text).toMatch(/^[0-9A-F]{64}$/);
    await expectClientError(
      after.keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'persist' } }),
      400,
      'KMS.1104',
    );
    await second.close();

    const { service, store } = await openOffline(dataDir);
    try {
      const opened = await service.decryptDataKey(scope, {
        ciphertext: Buffer.from(firstDataKey.cipher_text, 'hex'),
        encryptionContext: { purpose: 'restart-test' },
      });
      expect(opened.keyId).toBe(keyId);
      expect(opened.plaintext.toString('hex').toUpperCase()).toBe(firstDataKey.plain_text);

      const openedSecond = await service.decryptDataKey(scope, { ciphertext: Buffer.from(secondDataKey.cipher_text, 'hex') });
      expect(openedSecond.plaintext.toString('hex').toUpperCase()).toBe(secondDataKey.plain_text);

      // The decryption is bound to the encryption context and to the owning project.
      await expect(service.decryptDataKey(scope, { ciphertext: Buffer.from(firstDataKey.cipher_text, 'hex') })).rejects.toMatchObject({
        code: 'KMS.2203',
      });
      await expect(
        service.decryptDataKey(
          { domainId: dev.domainId, projectId: 'another-project' },
          { ciphertext: Buffer.from(firstDataKey.cipher_text, 'hex'), encryptionContext: { purpose: 'restart-test' } },
        ),
      ).rejects.toMatchObject({ code: 'KMS.0207' });
    } finally {
      await store.close();
    }
  });
});

describe('root key', () => {
  it('a different root key on an existing data dir fails on the check value, and nothing listens', async () => {
    const dataDir = newDataDir();
    const first = await start(configFor(dataDir));
    const port = first.port;
    const rootKeyText = readFileSync(join(dataDir, 'root.key'), 'utf8');
    await first.close();

    let otherKey = randomBytes(32).toString('hex');
    while (otherKey === rootKeyText.trim().toLowerCase()) otherKey = randomBytes(32).toString('hex');
    const log = captureLog();
    const failure = await rejection(start(configFor(dataDir, { rootKey: otherKey, port }), log.logger));
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/check value/);
    expect((failure as Error).message).not.toContain(otherKey);

    expect(log.entries().map((entry) => entry.msg)).not.toContain('openkms server listening');
    expect(await probe(port)).toBe('ECONNREFUSED');
    expect(readFileSync(join(dataDir, 'root.key'), 'utf8')).toBe(rootKeyText);

    // The failed start released the store: the right root key still starts.
    const again = await start(configFor(dataDir));
    expect((await fetch(`${again.url}/health`)).status).toBe(200);
  });

  it('a missing root key file on a data dir with keys fails naming the lost key, creates no new one, and nothing listens', async () => {
    const dataDir = newDataDir();
    const first = await start(configFor(dataDir));
    const rootKeyText = readFileSync(join(dataDir, 'root.key'), 'utf8');
    await first.close();
    rmSync(join(dataDir, 'root.key'));

    const log = captureLog();
    const failure = await rejection(start(configFor(dataDir), log.logger));
    const lostId = RootKey.fromEncoded(rootKeyText).checkValue();
    expect((failure as Error).message).toMatch(
      new RegExp(`root\\.key does not exist, but the key store's keys are wrapped under root key ${lostId}; restore that root key file`),
    );
    expect(existsSync(join(dataDir, 'root.key'))).toBe(false);
    expect(log.entries().map((entry) => entry.msg)).not.toContain('openkms server listening');

    // Restored, it starts again.
    writeFileSync(join(dataDir, 'root.key'), rootKeyText, { mode: 0o600 });
    const again = await start(configFor(dataDir));
    expect((await fetch(`${again.url}/health`)).status).toBe(200);
  });

  it('a root key given in the config (hex) on an empty data dir creates no root.key file and serves', async () => {
    const dataDir = newDataDir();
    const rootKeyHex = randomBytes(32).toString('hex');
    const log = captureLog();
    const server = await start(configFor(dataDir, { rootKey: rootKeyHex }), log.logger);
    const dev = devToken(server);
    expect(existsSync(join(dataDir, 'root.key'))).toBe(false);
    expect(existsSync(join(dataDir, 'tokens.json'))).toBe(true);
    expect(log.entries()).toContainEqual(
      expect.objectContaining({
        msg: 'root keys loaded',
        root_key_source: 'OPENKMS_ROOT_KEY',
        root_key: expect.stringMatching(/^[0-9a-f]{16}$/),
      }),
    );

    const { keys, dataKeys } = clients(server.url, dev.token);
    const keyId = (await keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: 'env-root' } })).key_info.key_id;
    const dataKey = await dataKeys.createDatakey({
      projectId: dev.projectId,
      createDatakeyRequest: { key_id: keyId, datakey_length: '512' },
    });
    await server.close();
    expect(existsSync(join(dataDir, 'root.key'))).toBe(false);

    // Upper-case hex names the same key: the store accepts it.
    const again = await start(configFor(dataDir, { rootKey: rootKeyHex.toUpperCase() }));
    const more = clients(again.url, dev.token);
    expect(
      (
        await more.dataKeys.createDatakey({
          projectId: dev.projectId,
          createDatakeyRequest: { key_id: 'alias/env-root', datakey_length: '512' },
        })
      ).key_id,
    ).toBe(keyId);
    await again.close();

    const store = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
    try {
      const service = await KmsService.open({ store, rootKey: RootKey.fromEncoded(rootKeyHex), region: REGION });
      const opened = await service.decryptDataKey(
        { domainId: dev.domainId, projectId: dev.projectId },
        { ciphertext: Buffer.from(dataKey.cipher_text, 'hex') },
      );
      expect(opened.plaintext.toString('hex').toUpperCase()).toBe(dataKey.plain_text);
    } finally {
      await store.close();
    }
  });
});

describe('health and shutdown', () => {
  it('GET /health is 200 {"status":"ok"}; after close() the port refuses connections', async () => {
    const server = await start(configFor(newDataDir()));
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);

    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(await probe(server.port)).toBe('connected');

    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    expect(await probe(server.port)).toBe('ECONNREFUSED');
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('logs', () => {
  it('never contain the token, a wrong token, a plain_text (either case, or base64) or the root key', async () => {
    const dataDir = newDataDir();
    const log = captureLog();
    const server = await start(configFor(dataDir), log.logger);
    const dev = devToken(server);
    const rootKeyHex = readFileSync(join(dataDir, 'root.key'), 'utf8').trim();
    const { keys, dataKeys } = clients(server.url, dev.token);

    const plainTexts: string[] = [];
    for (const alias of ['leak-a', 'leak-b']) {
      const keyId = (await keys.createKey({ projectId: dev.projectId, createKeyRequest: { key_alias: alias, sequence: randomUUID() } }))
        .key_info.key_id;
      for (const [reference, length] of [
        [keyId, '512'],
        [`alias/${alias}`, '256'],
        [`kms:${REGION}:${dev.domainId}:alias:${alias}`, '8192'],
      ] as const) {
        const dataKey = await dataKeys.createDatakey({
          projectId: dev.projectId,
          createDatakeyRequest: {
            key_id: reference,
            datakey_length: length,
            encryption_context: { app: 'leak-test' },
            sequence: randomUUID(),
          },
        });
        plainTexts.push(dataKey.plain_text);
      }
    }

    const wrongTokens = [`${dev.token}x`, dev.token.slice(0, -1), dev.token.toUpperCase(), `okms_${randomBytes(32).toString('base64url')}`];
    const failures: Response[] = [];
    for (const token of wrongTokens) {
      failures.push(await post(server.url, dev.projectId, 'create-key', { key_alias: 'denied' }, token));
      failures.push(await post(server.url, dev.projectId, 'create-datakey', { key_id: 'alias/leak-a', datakey_length: '512' }, token));
    }
    failures.push(await post(server.url, dev.projectId, 'create-key', { key_alias: 'no-token' }, undefined));
    failures.push(await post(server.url, 'someone-elses-project', 'create-key', { key_alias: 'x' }, dev.token));
    failures.push(await post(server.url, dev.projectId, 'create-key', `{"key_alias": "${dev.token}"`, dev.token));
    failures.push(await post(server.url, dev.projectId, 'create-key', { key_alias: 'leak-a' }, dev.token));
    failures.push(await post(server.url, dev.projectId, 'create-datakey', { key_id: 'alias/leak-a', datakey_length: '7' }, dev.token));
    expect(failures.map((res) => res.status)).toEqual([...wrongTokens.flatMap(() => [403, 403]), 403, 403, 400, 400, 400]);
    await server.close();

    // The log did record this session, including the failures.
    const entries = log.entries();
    expect(entries.filter((entry) => entry.msg === 'data key created')).toHaveLength(plainTexts.length);
    expect(entries.filter((entry) => entry.error_code === 'KMS.0302')).toHaveLength(wrongTokens.length * 2);
    expect(entries.map((entry) => entry.msg)).toContain('openkms server stopped');

    const secrets = [
      dev.token,
      dev.token.replace(/^okms_/, ''),
      ...wrongTokens,
      rootKeyHex.toLowerCase(),
      rootKeyHex.toUpperCase(),
      ...plainTexts.flatMap((hex) => [hex, hex.toLowerCase(), Buffer.from(hex, 'hex').toString('base64')]),
    ];
    const leaks = log.lines.flatMap((line, index) =>
      secrets.filter((secret) => line.includes(secret)).map((secret) => `line ${index} has ${secret.slice(0, 12)}…`),
    );
    expect(leaks).toEqual([]);
  });
});

describe('X-Request-Id and sequence', () => {
  let server: OpenKms;
  let dev: Caller;
  let log: CapturedLog;

  beforeAll(async () => {
    log = captureLog();
    server = await startOpenKms({ store: 'sqlite', logger: log.logger });
    dev = { token: server.token, projectId: server.projectId, domainId: server.domainId };
  });
  afterAll(async () => {
    await server?.stop();
  });

  const linesOfRequest = (id: string) => log.entries().filter((entry) => (entry.req as { id?: unknown } | undefined)?.id === id);

  it('every response carries a generated X-Request-Id when none is sent, different each time', async () => {
    const a = await post(server.url, dev.projectId, 'create-key', { key_alias: 'rid-generated' }, dev.token);
    const b = await fetch(`${server.url}/health`);
    const c = await post(server.url, dev.projectId, 'create-key', { key_alias: 'x' }, 'wrong-token');
    const ids = [a, b, c].map((res) => res.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
    expect(linesOfRequest(ids[0]!).length).toBeGreaterThan(0);
  });

  it('a valid X-Request-Id is echoed and appears in the log lines of that request', async () => {
    const id = `client.req-${randomBytes(6).toString('hex')}:1`;
    const res = await post(server.url, dev.projectId, 'create-key', { key_alias: 'rid-echo' }, dev.token, { 'X-Request-Id': id });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(id);
    const lines = linesOfRequest(id);
    expect(lines.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['key created', 'request completed']));
    const completed = lines.find((entry) => entry.msg === 'request completed');
    expect(completed?.res).toEqual({ statusCode: 200 });
  });

  it('an invalid X-Request-Id is not echoed but replaced', async () => {
    for (const given of ['has space', 'x'.repeat(129), 'semi;colon']) {
      const res = await post(server.url, dev.projectId, 'create-key', { key_alias: 'rid-bad' }, dev.token, { 'X-Request-Id': given });
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(given);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(log.lines.some((line) => line.includes(given))).toBe(false);
    }
  });

  it("a create-key body's 36-character sequence appears in that request's log lines", async () => {
    const id = `seq-${randomBytes(6).toString('hex')}`;
    const sequence = `S${randomBytes(20).toString('base64url')}`.padEnd(36, '~').slice(0, 36);
    expect(sequence).toHaveLength(36);
    const res = await post(server.url, dev.projectId, 'create-key', { key_alias: 'seq-key', sequence }, dev.token, { 'X-Request-Id': id });
    expect(res.status).toBe(200);
    const lines = linesOfRequest(id);
    const withSequence = lines.filter((entry) => entry.sequence === sequence).map((entry) => entry.msg);
    expect(withSequence).toEqual(expect.arrayContaining(['key created', 'request completed']));
  });
});
