import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, runConformance, codeBlock, escapeMarkdown, REPORT_FILES } from '@openkms/conformance';
import { startFaultyServer, type FaultyServer } from './broken/fault-proxy';
import { ALICE, CAROL, kitTarget, startReferenceServer, type ReferenceServer } from './support/reference-server';
import { BIN, runCli } from './support/run-cli';

let upstream: ReferenceServer;
let noRequestId: FaultyServer;

beforeAll(async () => {
  upstream = await startReferenceServer();
  // Breaks one SHOULD rule only: responses lose their X-Request-Id header.
  noRequestId = await startFaultyServer(upstream.url, async (request, forward) => {
    const response = await forward(request);
    const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'x-request-id'));
    return { ...response, headers };
  });
});

afterAll(async () => {
  await noRequestId.close();
  await upstream.close();
});

const target = (url: string) => [
  '--base-url',
  url,
  '--project-id',
  ALICE.projectId,
  '--token',
  ALICE.token,
  '--other-project-id',
  CAROL.projectId,
  '--other-token',
  CAROL.token,
];

describe('a failed SHOULD check', () => {
  let stdout: string;
  let code: number | null;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'ck-reports-'));
    ({ stdout, code } = await runCli([
      ...target(noRequestId.url),
      '--only',
      'errors',
      '--reporter',
      'summary,markdown,junit',
      '--out',
      out,
    ]));
  });

  it('keeps exit 0, and the final line counts it: never a bare PASS', () => {
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('wrote '));
    expect(lines.at(-1)).toMatch(/^PASS, 1 SHOULD failed: 8 checks, \d+ requests, [\d.]+ s$/);
    expect(stdout).toMatch(/^FAILED\s+CK-ERR-REQUEST-ID \[SHOULD errors\] 200 response has no X-Request-Id header$/m);
  });

  it('leads the Markdown report: verdict, counts, the failure with its authority and last exchange, then its area with failures first', () => {
    const markdown = readFileSync(join(out, REPORT_FILES.markdown), 'utf8');
    expect(markdown.split('\n')[0]).toMatch(/^## ✅ PASS, 1 SHOULD failed: 8 checks/);
    expect(markdown).toMatch(/^\| errors \| SHOULD \| 3 \| 1 \|$/m);
    const failures = markdown.slice(markdown.indexOf('### Failures'), markdown.indexOf('### errors'));
    expect(failures).toContain('#### ❌ `CK-ERR-REQUEST-ID` SHOULD · errors · failed');
    expect(failures).toContain('- **authority**: spec: headers X-Request-Id on every declared response');
    expect(failures).toMatch(/```http\nPOST \/v1\.0\/project-alice\/kms\/create-key\nX-Auth-Token: \*\*\*\n/);
    expect(failures).toMatch(/```http\nHTTP 400\ncontent-type: application\/json/);
    const areaRows = markdown
      .slice(markdown.indexOf('### errors'))
      .split('\n')
      .filter((line) => line.startsWith('| `CK-'));
    expect(areaRows).toHaveLength(8);
    expect(areaRows[0]).toMatch(/^\| `CK-ERR-REQUEST-ID` \| SHOULD \| ❌ failed \| /);
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
  const args = (url: string) => ['node', 'openkms-conformance', ...target(url), '--only', 'CK-ALIAS-LEN-1,CK-ALIAS-LEN-255'];

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
