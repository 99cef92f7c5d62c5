/**
 * `@openkms/server/testing`, the launcher every package's live tests use: what it promises
 * (callers that work, a clean stop, a failed start that says why) holds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ACCESS_KEY_ID_PATTERN, SECRET_KEY_PATTERN } from '@openkms/core';
import { resolveKeyStoreConfig, type KeyStoreConfigInput } from '../src/config';
import { newTenant, startServerProcess, startTestServer, writeTokenFile, type TestTenant } from '../src/testing';
import { openAccessKeys } from '../src/testing/server-internals';
import { postKms } from './support';

jest.setTimeout(60_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-launcher-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The live access key the store holds under this ID, opened as the server opens it. */
async function storedAccessKey(input: KeyStoreConfigInput, accessKeyId: string) {
  const opened = await openAccessKeys(resolveKeyStoreConfig(input), pino({ level: 'silent' }));
  try {
    return await opened.accessKeys.findLive(accessKeyId);
  } finally {
    await opened.close();
  }
}

const createKey = (url: string, caller: TestTenant, projectId = caller.projectId) =>
  postKms(url, { projectId, token: caller.token }, 'create-key', { key_alias: `launcher/${Math.random().toString(36).slice(2)}` });

describe('startTestServer (in this process)', () => {
  it('gives each tenant its own working token and project, keeps given fields, and removes its own data directory on stop', async () => {
    const server = await startTestServer({ tenants: [{ projectId: 'project-given' }, {}] });
    const [first, second] = server.tenants;
    expect(server).toMatchObject({ projectId: 'project-given', token: first.token, domainId: first.domainId, region: 'local-1' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(second.domainId).not.toBe(first.domainId);
    expect(second.token).toMatch(/^okms_[A-Za-z0-9_-]{43}$/);
    expect((await createKey(server.url, first)).status).toBe(200);
    expect((await createKey(server.url, second)).status).toBe(200);
    const crossed = await createKey(server.url, first, second.projectId);
    expect({ status: crossed.status, code: (crossed.json.error as { error_code?: string }).error_code }).toEqual({
      status: 403,
      code: 'KMS.0305',
    });
    // The token file holds hashes only, and the root key was given directly (no file).
    const tokenFile = readFileSync(join(server.dataDir, 'tokens.json'), 'utf8');
    expect(tokenFile).not.toContain(first.token);
    expect(existsSync(join(server.dataDir, 'root.key'))).toBe(false);

    await server.stop();
    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it('keeps a data directory it was given, with the store there, so a second start sees the same keys', async () => {
    const dataDir = join(work, 'given');
    const tenant = newTenant();
    const first = await startTestServer({ dataDir, store: 'sqlite', tenants: [tenant] });
    expect((await createKey(first.url, tenant)).status).toBe(200);
    await first.stop();
    expect(existsSync(join(dataDir, 'keys.sqlite'))).toBe(true);

    const second = await startTestServer({ dataDir, store: 'sqlite', tenants: [tenant], rootKeyHex: first.rootKeyHex });
    try {
      const listed = await postKms(second.url, tenant, 'list-keys', {});
      expect(listed.status).toBe(200);
      expect(listed.json.keys).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});

describe('the tenants’ access keys', () => {
  it('gives every tenant an access key pair, stored at start for its domain and project; given fields are kept', async () => {
    const dataDir = join(work, 'tenant-access-keys');
    const fixed = newTenant({ accessKeyId: 'AKTENANT000000000001', secretKey: 'T'.repeat(40) });
    const server = await startTestServer({ dataDir, store: 'sqlite', tenants: [fixed, {}] });
    const [first, second] = server.tenants;
    expect(server).toMatchObject({ accessKeyId: 'AKTENANT000000000001', secretKey: 'T'.repeat(40) });
    expect(second.accessKeyId).toMatch(ACCESS_KEY_ID_PATTERN);
    expect(second.secretKey).toMatch(SECRET_KEY_PATTERN);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    await server.stop();
    // A restart over the same store keeps them (no duplicate is attempted).
    await (await startTestServer({ dataDir, store: 'sqlite', tenants: [first, second], rootKeyHex: server.rootKeyHex })).stop();

    for (const [index, tenant] of [first, second].entries()) {
      expect(await storedAccessKey({ dataDir, store: 'sqlite', rootKey: server.rootKeyHex }, tenant.accessKeyId)).toEqual({
        accessKeyId: tenant.accessKeyId,
        name: `tenant-${index}`,
        secretKey: tenant.secretKey,
        domainId: tenant.domainId,
        projects: [tenant.projectId],
      });
    }
  });

  it('refuses a given access key ID the store already holds with another secret key (it would sign in vain), without quoting either secret', async () => {
    const dataDir = join(work, 'ak-clash');
    const tenant = newTenant({ accessKeyId: 'AKCLASH0000000000001', secretKey: 'A'.repeat(40) });
    const first = await startTestServer({ dataDir, store: 'sqlite', tenants: [tenant] });
    await first.stop();
    // The same pair again is the same key: a second start over the store works.
    const again = await startTestServer({ dataDir, store: 'sqlite', tenants: [tenant], rootKeyHex: first.rootKeyHex });
    await again.stop();

    const otherSecret = { ...tenant, secretKey: 'B'.repeat(40) };
    const refused = startTestServer({ dataDir, store: 'sqlite', tenants: [otherSecret], rootKeyHex: first.rootKeyHex });
    await expect(refused).rejects.toThrow(/access key AKCLASH0000000000001 already exists .*another secret key/);
    const message = await refused.catch((error: Error) => error.message);
    expect(message).not.toContain('A'.repeat(40));
    expect(message).not.toContain('B'.repeat(40));
    expect((await storedAccessKey({ dataDir, store: 'sqlite', rootKey: first.rootKeyHex }, tenant.accessKeyId))?.secretKey).toBe(
      tenant.secretKey,
    );
  });

  it('startServerProcess with tenants writes their token file and stores their access keys before the command starts', async () => {
    const dataDir = join(work, 'process-tenants');
    const tenant = newTenant();
    const proc = await startServerProcess(['--data-dir', dataDir], { cwd: work, tenants: [tenant] });
    expect(proc.tenants).toEqual([tenant]);
    expect((await createKey(proc.url, tenant)).status).toBe(200);
    expect(await proc.stop()).toEqual({ code: 0, signal: null });
    expect((await storedAccessKey({ dataDir }, tenant.accessKeyId))?.secretKey).toBe(tenant.secretKey);
    // Only these tenants: no development credentials were made.
    expect(proc.stderr()).not.toContain('X-Auth-Token');
  });

  it('startServerProcess with tenants refuses a relative or missing data directory', async () => {
    await expect(startServerProcess(['--data-dir', 'relative'], { cwd: work, tenants: [newTenant()] })).rejects.toThrow(/absolute/);
    await expect(startServerProcess([], { cwd: work, tenants: [newTenant()] })).rejects.toThrow(/--data-dir/);
  });
});

describe('startServerProcess and runOpenkms (the real command)', () => {
  it('resolves once the command listens, with its URL and pid, and stop() ends it with exit code 0', async () => {
    const tenant = newTenant();
    writeTokenFile(join(work, 'tokens.json'), [tenant]);
    const proc = await startServerProcess(['--data-dir', join(work, 'spawned'), '--token-file', join(work, 'tokens.json')], { cwd: work });
    expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proc.listening).toMatchObject({ msg: 'openkms server listening', url: proc.url, pid: proc.pid });
    expect((await createKey(proc.url, tenant)).status).toBe(200);
    expect(await proc.stop()).toEqual({ code: 0, signal: null });
    expect(proc.logLines().map((line) => line.msg)).toContain('openkms server stopped');
  });

  it("rejects a start that fails with what the command printed; the parent's OPENKMS_* variables never reach the command", async () => {
    const failing = startServerProcess(['--data-dir', join(work, 'failing')], { cwd: work, env: { OPENKMS_MAX_KEYS_PER_PROJECT: '0' } });
    await expect(failing).rejects.toThrow(/max-keys-per-project.*expected an integer/s);

    process.env.OPENKMS_MAX_KEYS_PER_PROJECT = '0';
    try {
      const proc = await startServerProcess(['--data-dir', join(work, 'clean-env')], { cwd: work });
      expect(await proc.stop()).toEqual({ code: 0, signal: null });
    } finally {
      delete process.env.OPENKMS_MAX_KEYS_PER_PROJECT;
    }
  });
});
