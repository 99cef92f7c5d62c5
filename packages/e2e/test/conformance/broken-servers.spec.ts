import { CHECKS, runConformance, type ConformanceReport } from '@openkms/conformance';
import { startFaultyServer, type FaultyServer } from './broken/fault-proxy';
import { BROKEN_IMPLEMENTATIONS } from './broken/faults';
import { ALICE, CAROL, kitTarget, startReferenceServer, type ReferenceServer } from './support/reference-server';

let upstream: ReferenceServer;
const proxies: FaultyServer[] = [];
const reports = new Map<string, ConformanceReport>();

beforeAll(async () => {
  upstream = await startReferenceServer();
  // The whole kit against every broken server, concurrently: each run is independent (unique aliases).
  await Promise.all(
    BROKEN_IMPLEMENTATIONS.map(async (broken) => {
      const proxy = await startFaultyServer(upstream.url, broken.fault);
      proxies.push(proxy);
      // A few broken servers break only an OpenKMS choice: those run at level reference.
      const level = CHECKS.find((c) => c.id === broken.caughtBy)?.level === 'REFERENCE' ? 'reference' : 'should';
      // A generous request time limit: a loaded CI machine must not turn into failed checks.
      reports.set(
        broken.name,
        await runConformance({ ...kitTarget(proxy.url), seed: 1234, profile: 'all', level, requestTimeoutMs: 120_000 }),
      );
    }),
  );
  // For the reader of CI logs: everything each broken server trips, not only the check it targets.
  for (const broken of BROKEN_IMPLEMENTATIONS) process.stdout.write(`${broken.name}: ${failedIds(reports.get(broken.name)!).join(' ')}\n`);
  // Twenty whole runs: the hook's limit only stops a hung run (see jest.config.js).
}, 1_800_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await upstream.close();
});

const failedIds = (report: ConformanceReport) => report.results.filter((r) => r.outcome === 'failed').map((r) => r.id);

describe('broken implementations', () => {
  it('have distinct names and each targets a different check', () => {
    expect(new Set(BROKEN_IMPLEMENTATIONS.map((b) => b.name)).size).toBe(BROKEN_IMPLEMENTATIONS.length);
    expect(new Set(BROKEN_IMPLEMENTATIONS.map((b) => b.caughtBy)).size).toBe(BROKEN_IMPLEMENTATIONS.length);
  });

  it.each(BROKEN_IMPLEMENTATIONS.map((b) => [b.name, b.caughtBy, b.bug]))('%s is caught by %s (%s)', (name, caughtBy) => {
    const report = reports.get(name)!;
    expect(failedIds(report)).toContain(caughtBy);
    expect(report.results.find((r) => r.id === caughtBy)?.message).toBeTruthy();
    // A failed SHOULD check is reported but does not fail the run; MUST and (at this level) REFERENCE do.
    if (CHECKS.find((c) => c.id === caughtBy)?.level !== 'SHOULD') expect(report.exitCode).toBe(1);
  });

  it('a report about a broken server still never shows a token or data key plaintext', () => {
    for (const report of reports.values()) {
      const text = JSON.stringify(report);
      expect(text).not.toContain(ALICE.token);
      expect(text).not.toContain(CAROL.token);
      expect(text).not.toMatch(/plain_text"?\s*:\s*"[0-9A-Fa-f]/);
    }
  });

  it('the fast-check failure names the seed and how to replay it', () => {
    const robust = reports.get('crashes-on-non-object-datakey-body')!.results.find((r) => r.id === 'CK-ROBUST-CREATE-DATAKEY')!;
    expect(robust.message).toMatch(/seed 1234\b.*replay with --seed 1234 --only CK-ROBUST-CREATE-DATAKEY/s);
  });
});
