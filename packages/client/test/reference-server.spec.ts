/**
 * The client against the real reference server (spawned on a random port): the happy paths,
 * every error case surfacing as a KmsError with the server's code, and the envelope example.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { KmsService, RootKey, SqliteKeyStore } from '@openkms/core';
import { createKmsClient, dataKeyBytes, KmsError, type KmsClient } from '../src';
import { startReferenceServer, type ReferenceServer } from './support/reference-server';

jest.setTimeout(60_000);

let server: ReferenceServer;
let kms: KmsClient;

beforeAll(async () => {
  server = await startReferenceServer();
  const [tenant] = server.tenants;
  kms = createKmsClient({ endpoint: server.url, projectId: tenant.projectId, token: tenant.token });
});
afterAll(async () => {
  await server?.dispose();
});

const alias = (prefix: string) => `${prefix}/${randomUUID()}`;
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

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
    ['duplicate alias', async () => {
      const name = alias('dup');
      await kms.createKey({ key_alias: name });
      return kms.createKey({ key_alias: name });
    }, 400, 'KMS.1104'],
    ['alias ending in /default', () => kms.createKey({ key_alias: 'svc/default' }), 400, 'KMS.1101'],
    ['alias of 256 characters', () => kms.createKey({ key_alias: 'a'.repeat(256) }), 400, 'KMS.1101'],
    ['datakey_length not a multiple of 8', () => kms.createDatakey({ key_id: 'alias/none', datakey_length: '12' }), 400, 'KMS.1903'],
    ['unknown key', () => kms.createDatakey({ key_id: randomUUID(), datakey_length: '512' }), 404, 'KMS.0207'],
    ['external key cannot make data keys', async () => {
      const { key_info } = await kms.createKey({ key_alias: alias('ext'), origin: 'external' });
      return kms.createDatakey({ key_id: key_info.key_id, datakey_length: '512' });
    }, 400, 'KMS.0310'],
  ];

  it.each(cases)('%s', async (_what, run, status, code) => {
    const error = await rejection(run());
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ status, errorCode: code });
    expect((error as KmsError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an empty token is 403 KMS.0301, an unknown one 403 KMS.0302', async () => {
    const [tenant] = server.tenants;
    for (const [token, code] of [['', 'KMS.0301'], ['okms_not-a-real-token', 'KMS.0302']] as const) {
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
      const { stdout } = await promisify(execFile)(process.execPath, [resolve(__dirname, '../examples/envelope-encrypt-file.mjs'), input, output], {
        env: { ...process.env, KMS_ENDPOINT: server.url, KMS_PROJECT_ID: tenant.projectId, KMS_TOKEN: tenant.token, KMS_KEY_ID: `alias/${keyAlias}` },
      });
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

      // Until decrypt-datakey exists over HTTP, open cipher_text with the core and the server's root key.
      await server.stop();
      const store = new SqliteKeyStore(join(server.dataDir, 'keys.sqlite'));
      const service = await KmsService.open({ store, rootKey: RootKey.fromEncoded(server.rootKeyHex), region: 'local-1' });
      try {
        const scope = { domainId: tenant.domainId, projectId: tenant.projectId };
        const ciphertext = Buffer.from(header.cipher_text, 'hex');
        await expect(service.decryptDataKey(scope, { ciphertext, encryptionContext: { file: 'other.txt' } })).rejects.toMatchObject({ code: 'KMS.2203' });
        const { plaintext } = await service.decryptDataKey(scope, { ciphertext, encryptionContext: header.encryption_context });
        const { format, key_id, cipher_text, encryption_context } = header;
        const decipher = createDecipheriv('aes-256-gcm', plaintext, Buffer.from(header.iv, 'hex'));
        decipher.setAAD(Buffer.from(JSON.stringify({ format, key_id, cipher_text, encryption_context })));
        decipher.setAuthTag(Buffer.from(header.tag, 'hex'));
        expect(Buffer.concat([decipher.update(sealed), decipher.final()]).equals(original)).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
