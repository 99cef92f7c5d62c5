/**
 * `@openkms/server/testing`, the launcher every package's live tests use: what it promises
 * (callers that work, a clean stop, a failed start that says why) holds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTenant, startServerProcess, startTestServer, writeTokenFile, type TestTenant } from '../src/testing';
import { postKms } from './support';

jest.setTimeout(60_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-launcher-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
