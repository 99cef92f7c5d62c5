import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSpec, REPORT_FILES } from '@openkms/conformance';
import { startFaultyServer, type FaultyServer } from './broken/fault-proxy';
import { BROKEN_IMPLEMENTATIONS } from './broken/faults';
import { ALICE, CAROL, startReferenceServer, type ReferenceServer, kitArgs } from './support/reference-server';

/** The built command, as a user runs it (the nx test target builds the kit first). */
const BIN = join(dirname(require.resolve('@openkms/conformance/package.json')), 'bin/openkms-conformance.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let server: ReferenceServer;
let broken: FaultyServer;
const brokenImplementation = BROKEN_IMPLEMENTATIONS.find((b) => b.name === 'accepts-256-char-alias')!;

beforeAll(async () => {
  server = await startReferenceServer();
  broken = await startFaultyServer(server.url, brokenImplementation.fault);
});

afterAll(async () => {
  await broken.close();
  await server.close();
});

describe('openkms-conformance (the built command)', () => {
  it('exits 0 against the reference server, prints the summary and writes JUnit and JSON with version and spec hash', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ck-cli-'));
    const result = await run([...kitArgs(server.url), '--reporter', 'summary,junit,json', '--out', out, '--seed', '99']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^area\s+level\s+passed\s+failed\s+skipped\s+xfail\s+xpass(\s+n\/impl)?$/m);
    expect(result.stdout).toMatch(/^create-key\s+MUST\s+\d+\s+0\s+0\s+0\s+0(\s+0)?$/m);
    expect(result.stdout).toMatch(/^PASS: \d+ checks/m);
    expect(result.stdout).toContain('seed 99');
    expect(result.stdout).not.toContain(ALICE.token);
    expect(result.stdout).not.toContain(CAROL.token);

    const sha256 = loadSpec().sha256;
    const report = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8'));
    expect(report).toMatchObject({
      kit: { name: '@openkms/conformance' },
      spec: { sha256 },
      exitCode: 0,
      options: { seed: 99 },
      target: { token: '***' },
    });
    expect(report.totals.failed).toBe(0);
    const junit = readFileSync(join(out, REPORT_FILES.junit), 'utf8');
    expect(junit).toMatch(/<testsuites [^>]*failures="0"/);
    expect(junit).toContain(`<property name="spec.sha256" value="${sha256}"/>`);
    expect(junit).toContain(`<property name="kit.version" value="${report.kit.version}"/>`);
    expect(junit).toContain('CK-ALIAS-LEN-256');
  });

  it('exits 1 against a broken server and names the failing check', async () => {
    const result = await run([...kitArgs(broken.url), '--only', 'create-key']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FAILED\s+CK-ALIAS-LEN-256 \[MUST create-key\] 256-character alias: expected 400 KMS\.1101 or 400 KMS\.0308, got 200/m,
    );
    expect(result.stdout).toMatch(/^FAIL \(1 MUST check failed\)/m);
  });

  it('exits 0 when an expectations file names that failure, and reports it as expected', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ck-exp-')), 'expectations.json');
    writeFileSync(file, JSON.stringify({ 'CK-ALIAS-LEN-256': { expect: 'fail', reason: 'issue #42: aliases are cut to 255' } }));
    const result = await run([...kitArgs(broken.url), '--only', 'create-key', '--expectations', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^XFAIL\s+CK-ALIAS-LEN-256 /m);
    // Still a pass, but never a bare one over a failed check.
    expect(result.stdout).toMatch(/^PASS, 1 expected failure: /m);
  });

  it('exits 2 on bad usage: missing options, an unknown check in the expectations file, --only matching nothing', async () => {
    const missing = await run(['--base-url', server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--project-id, --token');
    const file = join(mkdtempSync(join(tmpdir(), 'ck-exp-')), 'expectations.json');
    writeFileSync(file, JSON.stringify({ 'CK-NO-SUCH-CHECK': 'fail' }));
    const unknown = await run([...kitArgs(server.url), '--expectations', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown check ID CK-NO-SUCH-CHECK');
    const nothing = await run([...kitArgs(server.url), '--only', 'CK-NO-SUCH-*']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('no check matches --only CK-NO-SUCH-*');
    expect(existsSync(join(process.cwd(), 'conformance-report'))).toBe(false);
  });
});
