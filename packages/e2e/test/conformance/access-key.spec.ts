/**
 * The kit with access keys against our reference server: with only --ak/--sk (both callers) every
 * check passes at level reference except the checks about X-Auth-Token itself, which are skipped
 * with their reason; with a token as well, every check passes.
 */
import { CHECKS, runConformance } from '@openkms/conformance';
import { startTestServer } from '@openkms/server/testing';
import { REGION } from './support/reference-server';

const startServer = () => startTestServer({ tenants: [{}, {}], config: { region: REGION, maxKeysPerProject: 100_000 } });
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const target = (withTokens: boolean) => {
  const [first, second] = server.tenants;
  const [a, b] = [first, second];
  return {
    baseUrl: server.url,
    region: REGION,
    projectId: first.projectId,
    accessKey: { accessKey: a.accessKeyId, secretKey: a.secretKey },
    otherProjectId: second.projectId,
    otherAccessKey: { accessKey: b.accessKeyId, secretKey: b.secretKey },
    ...(withTokens ? { token: first.token, otherToken: second.token } : {}),
  };
};

it('with access keys only: everything passes but the X-Auth-Token checks, which are skipped with their reason', async () => {
  const report = await runConformance({ ...target(false), seed: 20261203, level: 'reference' });
  const tokenChecks = new Set(CHECKS.filter((c) => c.needsToken).map((c) => c.id));
  expect(tokenChecks.size).toBeGreaterThan(0);
  const unexpected = report.results
    .filter((r) => (tokenChecks.has(r.id) ? r.outcome !== 'skipped' : r.outcome !== 'passed'))
    .map((r) => `${r.id}: ${r.outcome} ${r.message ?? ''}`);
  expect(unexpected).toEqual([]);
  for (const result of report.results.filter((r) => tokenChecks.has(r.id))) expect(result.message).toMatch(/about X-Auth-Token itself/);
  expect(report.keys.cleanup.outcome).not.toBe('partial');
  const text = JSON.stringify(report);
  for (const tenant of server.tenants) expect(text).not.toContain(tenant.secretKey);
});

it('with access keys and tokens: every check passes', async () => {
  const report = await runConformance({ ...target(true), seed: 20261204, level: 'reference' });
  expect(report.results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.outcome} ${r.message ?? ''}`)).toEqual([]);
});
