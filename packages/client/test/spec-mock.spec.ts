/**
 * The client against Prism, a mock server made from spec/kms.yaml alone (no OpenKMS code).
 * Prism validates every request the client sends against the spec and answers with the
 * spec's examples, so this proves the client against the spec, not only against our server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createKmsClient, KmsError, type KmsClientTokenOptions } from '../src';

jest.setTimeout(60_000);

const SPEC = resolve(__dirname, '../../../spec/kms.yaml');
const PRISM = require.resolve('@stoplight/prism-cli/dist/index.js');
/** Guard against a hang only. */
const START_TIMEOUT_MS = 30_000;

let prism: ChildProcess;
let endpoint: string;
let log = '';

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  prism = spawn(process.execPath, [PRISM, 'mock', SPEC, '--host', '127.0.0.1', '--port', String(port), '--errors'], {
    env: { ...process.env, SCARF_ANALYTICS: 'false', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`Prism did not start:\n${log}`)), START_TIMEOUT_MS);
    const watch = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Prism is listening')) {
        clearTimeout(timer);
        ready();
      }
    };
    prism.stdout!.on('data', watch);
    prism.stderr!.on('data', watch);
    prism.once('exit', (code) => fail(new Error(`Prism exited with ${code}:\n${log}`)));
  });
});

afterAll(() => {
  prism?.kill('SIGTERM');
});

/** A client whose requests carry `Prefer` (Prism's way to pick a response code or example). */
function client(prefer?: string, options: Partial<KmsClientTokenOptions> = {}) {
  const fetchWithPrefer: typeof fetch = (url, init) =>
    fetch(url, prefer ? { ...init, headers: { ...(init?.headers as Record<string, string>), Prefer: prefer } } : init);
  return createKmsClient({
    endpoint,
    projectId: '0b9d5f56a4e54d9d8a6c81f0e5a3b2c1',
    token: 'any-token',
    fetch: fetchWithPrefer,
    retry: false,
    ...options,
  });
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

it("create-key: the client's request satisfies the spec and the spec's example comes back typed", async () => {
  const { key_info } = await client().createKey({
    key_alias: 'app/orders',
    key_description: 'd',
    origin: 'kms',
    sequence: '919c82d4-8046-4722-9094-35c3c6524cff',
  });
  expect(key_info).toEqual({ key_id: expect.stringMatching(/^[0-9a-f-]{36}$/), domain_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
});

it("create-datakey: the client's request satisfies the spec, including encryption_context", async () => {
  const dataKey = await client().createDatakey({
    key_id: 'alias/app/orders',
    datakey_length: '512',
    encryption_context: { table: 'orders' },
  });
  expect(dataKey.plain_text).toMatch(/^[0-9A-F]+$/);
  expect(dataKey.cipher_text).toMatch(/^[0-9A-F]+$/);
});

it("decrypt-datakey: the client's request satisfies the spec and the spec's example comes back typed", async () => {
  const opened = await client().decryptDatakey({
    key_id: 'alias/app/orders',
    cipher_text: '0200AB',
    datakey_cipher_length: '64',
    encryption_context: { table: 'orders' },
  });
  expect(opened.data_key).toMatch(/^[0-9A-F]+$/);
  expect(opened.datakey_length).toBe('64');
  expect(opened.datakey_dgst).toMatch(/^[0-9A-F]{64}$/);
});

it('encrypt-datakey, describe-key and list-keys: the requests satisfy the spec', async () => {
  const sealed = await client().encryptDatakey({ key_id: 'alias/app/orders', plain_text: '00'.repeat(48), datakey_plain_length: '16' });
  expect(sealed.cipher_text).toMatch(/^[0-9A-F]+$/);
  expect((await client().describeKey({ key_id: 'alias/app/orders' })).key_info.key_state).toMatch(/^[1-5]$/);
  const page = await client().listKeys({ limit: '2', key_state: '2' });
  expect(page.keys).toEqual(page.key_details.map((key) => key.key_id));
});

it('a request the spec forbids is refused by the mock: the client does not hide it', async () => {
  const error = await rejection(client().createKey({ key_alias: 'svc/default' }));
  expect(error).toBeInstanceOf(KmsError);
  expect(error).toMatchObject({ status: 400, errorCode: 'KMS.1101' });
});

it.each([
  ['code=403', 403, 'KMS.0301'],
  ['code=404', 404, 'KMS.0207'],
  ['code=413', 413, 'KMS.0203'],
  ['code=429', 429, 'KMS.0429'],
  ['code=500', 500, 'KMS.0101'],
])("every error response the spec declares (%s) surfaces as a KmsError with the spec's code", async (prefer, status, code) => {
  const error = await rejection(client(prefer).createDatakey({ key_id: 'alias/app/orders', datakey_length: '512' }));
  expect(error).toBeInstanceOf(KmsError);
  expect(error).toMatchObject({ status, errorCode: code });
});

it('with retries on, a 429 from the mock is tried maxAttempts times before it surfaces', async () => {
  let tries = 0;
  const counting: typeof fetch = (url, init) => {
    tries += 1;
    return fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Prefer: 'code=429' } });
  };
  const kms = createKmsClient({ endpoint, projectId: 'p', token: 't', fetch: counting, retry: { maxAttempts: 3, baseDelayMs: 1 } });
  await expect(rejection(kms.createKey({ key_alias: 'a' }))).resolves.toMatchObject({ status: 429 });
  expect(tries).toBe(3);
});
