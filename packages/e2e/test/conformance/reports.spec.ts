import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authorityOf,
  CHECKS,
  main,
  runConformance,
  codeBlock,
  escapeMarkdown,
  REPORT_FILES,
  type ConformanceReport,
} from '@openkms/conformance';
import { BROKEN_IMPLEMENTATIONS } from './broken/faults';
import { startFaultyServer, type FaultyServer } from './broken/fault-proxy';
import { ALICE, CAROL, kitTarget, startReferenceServer, type ReferenceServer, kitArgs } from './support/reference-server';
import { BIN, runCli } from './support/run-cli';

let upstream: ReferenceServer;
let lowerCaseHex: FaultyServer;

/** The broken server that breaks one SHOULD rule only: data keys in lower-case hex. */
const LOWER_CASE_HEX = BROKEN_IMPLEMENTATIONS.find((b) => b.name === 'lower-case-hex')!;
/** The checks `--only create-datakey` runs at the default level (MUST and SHOULD). */
const DATAKEY_CHECKS = CHECKS.filter((c) => c.area === 'create-datakey' && (c.level === 'MUST' || c.level === 'SHOULD'));
const DATAKEY_SHOULD = DATAKEY_CHECKS.filter((c) => c.level === 'SHOULD').length;

beforeAll(async () => {
  upstream = await startReferenceServer();
  lowerCaseHex = await startFaultyServer(upstream.url, LOWER_CASE_HEX.fault);
});

afterAll(async () => {
  await lowerCaseHex.close();
  await upstream.close();
});

describe('a failed SHOULD check', () => {
  let stdout: string;
  let code: number | null;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'ck-reports-'));
    ({ stdout, code } = await runCli([
      ...kitArgs(lowerCaseHex.url),
      '--only',
      'create-datakey',
      '--reporter',
      'summary,markdown,junit,json',
      '--out',
      out,
    ]));
  });

  it('keeps exit 0, and the final line counts it: never a bare PASS', () => {
    expect(LOWER_CASE_HEX.caughtBy).toBe('CK-DK-HEX-UPPER');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('wrote '));
    expect(lines.at(-1)).toMatch(new RegExp(`^PASS, 1 SHOULD failed: ${DATAKEY_CHECKS.length} checks, \\d+ requests, [\\d.]+ s$`));
    expect(stdout).toMatch(/^FAILED\s+CK-DK-HEX-UPPER \[SHOULD create-datakey\] 256 bits: plain_text has characters other than 0-9 A-F$/m);
  });

  it('leads the Markdown report: verdict, counts, the failure with its authority and last exchange, then its area with failures first', () => {
    const markdown = readFileSync(join(out, REPORT_FILES.markdown), 'utf8');
    const json = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8')) as ConformanceReport;
    const failed = json.results.find((r) => r.id === 'CK-DK-HEX-UPPER')!;
    expect(markdown.split('\n')[0]).toMatch(new RegExp(`^## ✅ PASS, 1 SHOULD failed: ${DATAKEY_CHECKS.length} checks`));
    expect(markdown).toMatch(new RegExp(`^\\| create-datakey \\| SHOULD \\| ${DATAKEY_SHOULD - 1} \\| 1 \\|`, 'm'));
    const failures = markdown.slice(markdown.indexOf('### Failures'), markdown.indexOf('### create-datakey'));
    expect(failures).toContain('#### ❌ `CK-DK-HEX-UPPER` SHOULD · create-datakey · failed');
    expect(failures).toContain(`- **authority**: ${authorityOf(failed)}`);
    expect(failures).toMatch(/```http\nPOST \/v1\.0\/project-alice\/kms\/create-datakey\nX-Auth-Token: \*\*\*\n/);
    expect(failures).toMatch(/```http\nHTTP 200\ncontent-type: application\/json/);
    const areaRows = markdown
      .slice(markdown.indexOf('### create-datakey'))
      .split('\n')
      .filter((line) => line.startsWith('| `CK-'));
    expect(areaRows).toHaveLength(DATAKEY_CHECKS.length);
    expect(areaRows[0]).toMatch(/^\| `CK-DK-HEX-UPPER` \| SHOULD \| ❌ failed \| /);
    expect(areaRows.slice(1).every((row) => row.includes('✅ passed'))).toBe(true);
  });
});

describe('what the reports keep of each request', () => {
  it('the last exchanges of each check, tokens masked and data keys redacted, in requests and responses', async () => {
    const report = await runConformance({
      ...kitTarget(upstream.url),
      profile: 'all',
      only: 'CK-DK-512,CK-EDK-ROUND-TRIP,CK-AUTH-BLANK-TOKEN,CK-ROBUST-HEADERS',
      seed: 7,
    });
    expect(report.results.every((r) => r.outcome === 'passed')).toBe(true);
    const dk = report.results.find((r) => r.id === 'CK-DK-512')!;
    expect(dk.exchanges?.at(-1)?.response?.body).toMatch(/"plain_text":"<redacted, 128 chars>"/);
    const edk = report.results.find((r) => r.id === 'CK-EDK-ROUND-TRIP')!;
    expect(edk.exchanges?.some((e) => /"plain_text":"<redacted, \d+ chars>"/.test(e.request.body ?? ''))).toBe(true);
    const robust = report.results.find((r) => r.id === 'CK-ROBUST-HEADERS')!;
    expect(robust.exchanges).toHaveLength(12);
    expect((robust.omittedExchanges ?? 0) + 12).toBe(robust.requests);
    const blank = report.results.find((r) => r.id === 'CK-AUTH-BLANK-TOKEN')!;
    expect(blank.exchanges?.every((e) => e.request.headers['X-Auth-Token'] === '(blank)')).toBe(true);

    const text = JSON.stringify(report);
    expect(text).not.toContain(ALICE.token);
    expect(text).not.toContain(CAROL.token);
    // Also inside bodies kept as JSON text within the JSON report (escaped quotes).
    expect(text).not.toMatch(/plain_text\\*"\s*:\s*\\*"[0-9A-Fa-f]/);
    const tokenHeaders = report.results.flatMap((r) => r.exchanges ?? []).map((e) => e.request.headers['X-Auth-Token']);
    expect(new Set(tokenHeaders.filter((v) => v !== undefined))).toEqual(new Set(['***', '(empty)', '(blank)']));
  });
});

describe('progress', () => {
  const args = (url: string) => ['node', 'openkms-conformance', ...kitArgs(url), '--only', 'CK-ALIAS-LEN-1,CK-ALIAS-LEN-255'];

  it('on a terminal: the check count and the current check on stderr, cleared before the report', async () => {
    let stderr = '';
    let stdout = '';
    const code = await main(
      args(upstream.url),
      (t) => (stdout += t),
      (t) => (stderr += t),
      true,
    );
    expect(code).toBe(0);
    expect(stderr).toBe('\r\x1b[2K[1/2] CK-ALIAS-LEN-1\r\x1b[2K[2/2] CK-ALIAS-LEN-255\r\x1b[2K');
    expect(stdout).toMatch(/^PASS: 2 checks/m);
  });

  it('the built command on a real terminal (util-linux script gives it a pty) shows it; the default is decided by stderr.isTTY', async () => {
    const command = [process.execPath, BIN, ...args(upstream.url).slice(2)].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const output = await new Promise<string>((done, fail) =>
      execFile('script', ['-qec', command, '/dev/null'], (error, stdout) => (error ? fail(new Error(error.message)) : done(stdout))),
    );
    expect(output).toContain('\x1b[2K[1/2] CK-ALIAS-LEN-1');
    expect(output).toContain('\x1b[2K[2/2] CK-ALIAS-LEN-255');
    expect(output).toMatch(/PASS: 2 checks/);
  });

  it('not on a terminal: nothing on stderr', async () => {
    let stderr = '';
    const code = await main(
      args(upstream.url),
      () => undefined,
      (t) => (stderr += t),
      false,
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('Markdown escaping', () => {
  it('a table cell cannot break the table, open markup or start formatting', () => {
    expect(escapeMarkdown('a|b <img src=x> *x* `y` [l](u)\nnext')).toBe('a\\|b &lt;img src=x&gt; \\*x\\* \\`y\\` \\[l\\](u) next');
  });

  it('a code block is fenced longer than any backtick run inside it', () => {
    expect(codeBlock('x ```` y')).toBe('`````text\nx ```` y\n`````');
    expect(codeBlock('plain', 'http')).toBe('```http\nplain\n```');
  });
});
