/**
 * Access keys in a PostgreSQL deployment: two server instances on one schema see the same keys,
 * and a key revoked with `openkms-server access-key revoke` (the real bin) is refused by both
 * once the cache time has passed since each last asked the store, without a restart. The
 * instances run on a test clock, so the window is checked exactly, not by sleeping.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@openkms/core/testing';
import { newTenant, runOpenkms, startTestServer, type TestServer } from '../src/testing';

jest.setTimeout(60_000);

const CACHE_MS = 2000;
let work: string;
let schema: TestSchema;
const servers: TestServer[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-pg-access-keys-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(async () => {
  schema = await createTestSchema();
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await schema.drop();
});

async function cli(args: readonly string[], rootKeyHex: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = runOpenkms(args, { cwd: work, env: { OPENKMS_STORE: schema.url, OPENKMS_ROOT_KEY: rootKeyHex } });
  const { code } = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

it('two instances on one schema: a key made by the command works on both; revoked, both refuse it once the cache time passes', async () => {
  const rootKeyHex = randomBytes(32).toString('hex');
  const tenant = newTenant();
  let clock = 0;
  const start = async () => {
    const server = await startTestServer({
      store: schema.url,
      rootKeyHex,
      tenants: [tenant],
      accessKeyCache: { cacheMs: CACHE_MS, now: () => clock },
    });
    servers.push(server);
    return server;
  };
  // Started together: both provision the tenant's access key, and one of them finds it made by the other.
  const [a, b] = await Promise.all([start(), start()]);

  // The tenant's key (stored by the first start; the second found it) resolves on both.
  for (const server of [a, b]) expect((await server.server.accessKeys.find(tenant.accessKeyId))?.secretKey).toBe(tenant.secretKey);

  // A key made by the command, while both run: unknown to both until asked, then found by both.
  const made = await cli(
    ['access-key', 'create', '--name', 'batch-job', '--project', tenant.projectId, '--domain-id', tenant.domainId, '--output', 'json'],
    rootKeyHex,
  );
  expect(made.code).toBe(0);
  const created = JSON.parse(made.stdout) as { access_key_id: string; secret_key: string };
  for (const server of [a, b]) {
    expect(await server.server.accessKeys.find(created.access_key_id)).toMatchObject({
      name: 'batch-job',
      secretKey: created.secret_key,
      domainId: tenant.domainId,
      projects: [tenant.projectId],
    });
  }

  const revoked = await cli(['access-key', 'revoke', created.access_key_id], rootKeyHex);
  expect(revoked.code).toBe(0);
  // Within the window an instance may still answer from its cache (at most CACHE_MS after it asked)…
  clock += CACHE_MS - 1;
  expect(await b.server.accessKeys.find(created.access_key_id)).toBeDefined();
  // …and once it has passed, every instance refuses the key, with no restart and no reload.
  clock += 1;
  for (const server of [a, b]) expect(await server.server.accessKeys.find(created.access_key_id)).toBeUndefined();
  // The others are untouched.
  expect((await a.server.accessKeys.find(tenant.accessKeyId))?.secretKey).toBe(tenant.secretKey);

  const listed = await cli(['access-key', 'list', '--output', 'json'], rootKeyHex);
  expect(
    (JSON.parse(listed.stdout) as { access_key_id: string; revoked_at: string | null }[]).map((key) => [
      key.access_key_id,
      key.revoked_at !== null,
    ]),
  ).toEqual(
    expect.arrayContaining([
      [tenant.accessKeyId, false],
      [created.access_key_id, true],
    ]),
  );
  for (const run of [made, revoked, listed]) expect(`${run.stdout}${run.stderr}`).not.toContain(schema.password);
});
