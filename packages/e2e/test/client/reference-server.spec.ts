/**
 * The client against the real reference server (started on a random port): the happy paths,
 * every error case surfacing as a KmsError with the server's code, and the envelope example.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createKmsClient, dataKeyBytes, KmsError, type KmsClient } from '@openkms/client';
import { startTestServer } from '@openkms/server/testing';

jest.setTimeout(60_000);

/** The client package's directory, for its examples. */
const CLIENT_ROOT = dirname(require.resolve('@openkms/client/package.json'));
/** Two tenants with their own domain, project and token, for isolation cases; a SQLite store. */
const startReferenceServer = () => startTestServer({ store: 'sqlite', tenants: [{}, {}] });

let server: Awaited<ReturnType<typeof startReferenceServer>>;
let kms: KmsClient;

beforeAll(async () => {
  server = await startReferenceServer();
  const [tenant] = server.tenants;
  kms = createKmsClient({ endpoint: server.url, projectId: tenant.projectId, token: tenant.token });
});
afterAll(async () => {
  await server?.stop();
});

const alias = (prefix: string) => `${prefix}/${randomUUID()}`;
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('happy paths', () => {
  it('creates a key and a 512-bit data key in a few lines', async () => {
    const { key_info } = await kms.createKey({ key_alias: alias('orders'), key_description: 'client test', sequence: randomUUID() });
    expect(key_info.domain_id).toBe(server.tenants[0].domainId);
    const dataKey = await kms.createDatakey({ key_id: key_info.key_id, datakey_length: '512' });
    expect(dataKey.key_id).toBe(key_info.key_id);
    const bytes = dataKeyBytes(dataKey);
    expect(bytes.plaintext).toHaveLength(64);
    expect(dataKey.plain_text).toMatch(/^[0-9A-F]{128}$/);
    expect(bytes.ciphertext.length).toBeGreaterThan(64);
  });

  it('resolves a key by alias and by alias URN', async () => {
    const name = alias('by-name');
    const { key_info } = await kms.createKey({ key_alias: name });
    const urn = `kms:local-1:${server.tenants[0].domainId}:alias:${name}`;
    for (const reference of [`alias/${name}`, urn]) {
      await expect(kms.createDatakey({ key_id: reference, datakey_length: '256' })).resolves.toMatchObject({ key_id: key_info.key_id });
    }
  });
});

describe('every error is a KmsError with the server code', () => {
  const cases: Array<[string, () => Promise<unknown>, number, string]> = [
    [
      'duplicate alias',
      async () => {
        const name = alias('dup');
        await kms.createKey({ key_alias: name });
        return kms.createKey({ key_alias: name });
      },
      400,
      'KMS.1104',
    ],
    ['alias ending in /default', () => kms.createKey({ key_alias: 'svc/default' }), 400, 'KMS.1101'],
    ['alias of 256 characters', () => kms.createKey({ key_alias: 'a'.repeat(256) }), 400, 'KMS.1101'],
    ['datakey_length not a multiple of 8', () => kms.createDatakey({ key_id: 'alias/none', datakey_length: '12' }), 400, 'KMS.1903'],
    ['unknown key', () => kms.createDatakey({ key_id: randomUUID(), datakey_length: '512' }), 404, 'KMS.0207'],
    [
      'external key cannot make data keys',
      async () => {
        const { key_info } = await kms.createKey({ key_alias: alias('ext'), origin: 'external' });
        return kms.createDatakey({ key_id: key_info.key_id, datakey_length: '512' });
      },
      400,
      'KMS.0310',
    ],
  ];

  it.each(cases)('%s', async (_what, run, status, code) => {
    const error = await rejection(run());
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ status, errorCode: code });
    expect((error as KmsError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an empty token is 403 KMS.0301, an unknown one 403 KMS.0302', async () => {
    const [tenant] = server.tenants;
    for (const [token, code] of [
      ['', 'KMS.0301'],
      ['okms_not-a-real-token', 'KMS.0302'],
    ] as const) {
      const client = createKmsClient({ endpoint: server.url, projectId: tenant.projectId, token });
      await expect(rejection(client.createKey({ key_alias: alias('denied') }))).resolves.toMatchObject({ status: 403, errorCode: code });
    }
  });

  it("another tenant's project is 403 KMS.0305, and its keys look missing", async () => {
    const [a, b] = server.tenants;
    const intruder = createKmsClient({ endpoint: server.url, projectId: b.projectId, token: a.token });
    await expect(rejection(intruder.createKey({ key_alias: alias('x') }))).resolves.toMatchObject({ status: 403, errorCode: 'KMS.0305' });

    const { key_info } = await kms.createKey({ key_alias: alias('mine') });
    const other = createKmsClient({ endpoint: server.url, projectId: b.projectId, token: b.token });
    await expect(rejection(other.createDatakey({ key_id: key_info.key_id, datakey_length: '512' }))).resolves.toMatchObject({
      status: 404,
      errorCode: 'KMS.0207',
    });
  });
});

describe('the envelope operations', () => {
  it('decrypts a data key back, seals one it was given, describes and lists keys', async () => {
    const keyAlias = alias('envelope');
    const { key_info } = await kms.createKey({ key_alias: keyAlias });
    for (const bits of [8, 256, 8192]) {
      const made = await kms.createDatakey({ key_id: key_info.key_id, datakey_length: String(bits), encryption_context: { t: 'x' } });
      const back = await kms.decryptDatakey({
        key_id: `alias/${keyAlias}`,
        cipher_text: made.cipher_text,
        datakey_cipher_length: String(bits / 8),
        encryption_context: { t: 'x' },
      });
      expect(back).toEqual({
        data_key: made.plain_text,
        datakey_length: String(bits / 8),
        datakey_dgst: createHash('sha256').update(Buffer.from(made.plain_text, 'hex')).digest('hex').toUpperCase(),
      });
    }
    const dek = Buffer.alloc(16, 7);
    const plainText = Buffer.concat([dek, createHash('sha256').update(dek).digest()]).toString('hex');
    const sealed = await kms.encryptDatakey({ key_id: key_info.key_id, plain_text: plainText, datakey_plain_length: '16' });
    expect(sealed).toMatchObject({ key_id: key_info.key_id, datakey_length: '16' });
    expect(
      (await kms.decryptDatakey({ key_id: key_info.key_id, cipher_text: sealed.cipher_text, datakey_cipher_length: '16' })).data_key,
    ).toBe(dek.toString('hex').toUpperCase());
    expect(
      await rejection(
        kms.encryptDatakey({ key_id: key_info.key_id, plain_text: `${plainText.slice(0, -2)}00`, datakey_plain_length: '16' }),
      ),
    ).toMatchObject({ status: 400, errorCode: 'KMS.2103' });
    expect(
      await rejection(
        kms.decryptDatakey({ key_id: key_info.key_id, cipher_text: sealed.cipher_text.slice(0, -2), datakey_cipher_length: '16' }),
      ),
    ).toMatchObject({ status: 400, errorCode: 'KMS.2201' });

    const described = await kms.describeKey({ key_id: `alias/${keyAlias}` });
    expect(described.key_info).toMatchObject({ key_id: key_info.key_id, key_alias: keyAlias, key_state: '2' });
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await kms.listKeys({ limit: '2', marker });
      seen.push(...page.keys);
      if (page.truncated === 'false') break;
      marker = page.next_marker;
    }
    expect(seen).toContain(key_info.key_id);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('examples/envelope-encrypt-file.mjs', () => {
  it('encrypts a file that only cipher_text (opened by the KMS) and the same context can decrypt', async () => {
    const [tenant] = server.tenants;
    const keyAlias = alias('files');
    await kms.createKey({ key_alias: keyAlias });
    const work = mkdtempSync(join(tmpdir(), 'openkms-envelope-'));
    try {
      const input = join(work, 'report.txt');
      const output = join(work, 'report.txt.enc');
      const original = Buffer.from(`quarterly numbers ${randomUUID()}\n`.repeat(500));
      writeFileSync(input, original);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(CLIENT_ROOT, 'examples/envelope-encrypt-file.mjs'), input, output],
        {
          env: {
            ...process.env,
            KMS_ENDPOINT: server.url,
            KMS_PROJECT_ID: tenant.projectId,
            KMS_TOKEN: tenant.token,
            KMS_KEY_ID: `alias/${keyAlias}`,
          },
        },
      );
      expect(stdout).toContain('encrypted');

      const file = readFileSync(output);
      const newline = file.indexOf(0x0a);
      const header = JSON.parse(file.subarray(0, newline).toString()) as Record<string, unknown> & {
        cipher_text: string;
        encryption_context: Record<string, string>;
        iv: string;
        tag: string;
      };
      const sealed = file.subarray(newline + 1);
      expect(sealed.includes(original.subarray(0, 32))).toBe(false);
      expect(header).toEqual(expect.objectContaining({ format: 'openkms-envelope-v1', encryption_context: { file: 'report.txt' } }));
      expect(Object.keys(header)).not.toContain('plain_text');

      // The counterpart decrypts from the file alone, through decrypt-datakey.
      const restored = join(work, 'report.txt.out');
      const decrypted = await promisify(execFile)(
        process.execPath,
        [join(CLIENT_ROOT, 'examples/envelope-decrypt-file.mjs'), output, restored],
        {
          env: { ...process.env, KMS_ENDPOINT: server.url, KMS_PROJECT_ID: tenant.projectId, KMS_TOKEN: tenant.token },
        },
      );
      expect(decrypted.stdout).toContain('decrypted');
      expect(readFileSync(restored).equals(original)).toBe(true);
      // Another context does not open cipher_text.
      expect(
        await rejection(
          kms.decryptDatakey({
            key_id: header.key_id as string,
            cipher_text: header.cipher_text,
            datakey_cipher_length: '32',
            encryption_context: { file: 'other.txt' },
          }),
        ),
      ).toMatchObject({ status: 400, errorCode: 'KMS.2203' });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
