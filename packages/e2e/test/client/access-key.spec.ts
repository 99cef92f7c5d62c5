/**
 * Our client with an access key instead of a token, against the reference server: every
 * operation signed (SDK-HMAC-SHA256), a wrong secret refused as the gateway refuses it, and the
 * same server still serving the token client. The signer itself is judged against the official
 * SDK core's signer in packages/client; here the server is the other side.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createKmsClient, dataKeyBytes, KmsError, type KmsClient } from '@openkms/client';
import { startTestServer } from '@openkms/server/testing';

jest.setTimeout(120_000);

const startServer = () => startTestServer({ tenants: [{}, {}] });
let server: Awaited<ReturnType<typeof startServer>>;
let kms: KmsClient;

beforeAll(async () => {
  server = await startServer();
  const { accessKeyId, secretKey } = server.tenants[0];
  kms = createKmsClient({ endpoint: server.url, projectId: server.tenants[0].projectId, accessKey: accessKeyId, secretKey });
});
afterAll(async () => {
  await server?.stop();
});

it('runs all six operations signed with the access key', async () => {
  const alias = `ak/${randomUUID()}`;
  const { key_info } = await kms.createKey({ key_alias: alias });
  expect(key_info.domain_id).toBe(server.tenants[0].domainId);
  const dataKey = await kms.createDatakey({ key_id: key_info.key_id, datakey_length: '256' });
  const opened = await kms.decryptDatakey({ key_id: key_info.key_id, cipher_text: dataKey.cipher_text, datakey_cipher_length: '32' });
  expect(opened.data_key).toBe(dataKey.plain_text);
  expect(dataKeyBytes(dataKey).plaintext).toHaveLength(32);
  const dek = randomBytes(32);
  const plain_text = Buffer.concat([dek, createHash('sha256').update(dek).digest()])
    .toString('hex')
    .toUpperCase();
  const sealed = await kms.encryptDatakey({ key_id: `alias/${alias}`, plain_text, datakey_plain_length: '32' });
  const reopened = await kms.decryptDatakey({ key_id: key_info.key_id, cipher_text: sealed.cipher_text, datakey_cipher_length: '32' });
  expect(reopened.data_key).toBe(dek.toString('hex').toUpperCase());
  await expect(kms.describeKey({ key_id: key_info.key_id })).resolves.toMatchObject({ key_info: { key_alias: alias } });
  expect((await kms.listKeys({ limit: '1000' })).keys).toContain(key_info.key_id);
});

it('a wrong secret key is a KmsError 401 APIGW.0301 that names neither secret', async () => {
  const { accessKeyId, secretKey } = server.tenants[0];
  const wrong = `${secretKey}x`;
  const client = createKmsClient({
    endpoint: server.url,
    projectId: server.tenants[0].projectId,
    accessKey: accessKeyId,
    secretKey: wrong,
  });
  const error = await client.listKeys().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KmsError);
  expect(error).toMatchObject({
    status: 401,
    errorCode: 'APIGW.0301',
    errorMsg: expect.stringMatching(/^Incorrect IAM authentication information: /),
  });
  expect((error as KmsError).requestId).toBeDefined();
  expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(secretKey);
});

it('the token client keeps working beside it', async () => {
  const tokenClient = createKmsClient({ endpoint: server.url, projectId: server.tenants[1].projectId, token: server.tenants[1].token });
  await expect(tokenClient.createKey({ key_alias: `tok/${randomUUID()}` })).resolves.toMatchObject({
    key_info: { domain_id: server.tenants[1].domainId },
  });
});
