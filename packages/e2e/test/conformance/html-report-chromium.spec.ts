/**
 * The HTML report as a person sees it: rendered by headless Chromium (Debian's `chromium`, which
 * .ci/run installs), from a run with a failed check and a server that puts markup in its answers.
 * The screenshot stays in test-artifacts/ (gitignored) for a human to look at.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPORT_FILES, type CheckResult, type ConformanceReport, authorityOf } from '@openkms/conformance';
import { startFaultyServer, type FaultyServer } from './broken/fault-proxy';
import { BROKEN_IMPLEMENTATIONS } from './broken/faults';
import { ALICE, CAROL, startReferenceServer, type ReferenceServer, kitArgs } from './support/reference-server';
import { runCli } from './support/run-cli';
import { requireChromium, runChromium } from '../support/headless-chromium';

const ARTIFACTS = resolve(__dirname, '../test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'conformance-report-failure.png');
/** What a server under test might send back, in the hope a report renders it. */
const MARKUP = `<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`;

let upstream: ReferenceServer;
let broken: FaultyServer;
let out: string;
let report: ConformanceReport;
let dom: string;
let userDataDir: string;

/** Chromium as CI runs it (test/support/headless-chromium.ts), in this suite's profile. */
const chromium = (...args: string[]) => runChromium(userDataDir, args);

/** The text a person reads: tags dropped, entities decoded. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|amp|#39|#(\d+));/g, (_m, name: string, code?: string) =>
      code ? String.fromCharCode(Number(code)) : { lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'" }[name]!,
    );

function checkElement(id: string): string {
  const match = new RegExp(`<details class="check [^"]*"[^>]*data-check="${id}"[^>]*>[\\s\\S]*?</details>`).exec(dom);
  if (!match) throw new Error(`no element for ${id} in the rendered report`);
  return match[0];
}

beforeAll(async () => {
  requireChromium();
  upstream = await startReferenceServer();
  const acceptsLongAliases = BROKEN_IMPLEMENTATIONS.find((b) => b.name === 'accepts-256-char-alias')!.fault;
  broken = await startFaultyServer(upstream.url, async (request, forward) => {
    const response = await acceptsLongAliases(request, forward);
    if (response.status < 400) return response;
    const body = JSON.parse(response.body) as { error: { error_code: string } };
    return { ...response, body: JSON.stringify({ error: { error_code: body.error.error_code, error_msg: MARKUP } }) };
  });
  out = mkdtempSync(join(tmpdir(), 'ck-html-'));
  userDataDir = mkdtempSync(join(tmpdir(), 'ck-chromium-'));
  const run = await runCli([
    ...kitArgs(broken.url),
    ...['--only', 'CK-ALIAS-LEN-256,CK-ALIAS-LEN-0,CK-AUTH-EMPTY-TOKEN', '--reporter', 'html,json', '--out', out],
  ]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
  report = JSON.parse(readFileSync(join(out, REPORT_FILES.json), 'utf8')) as ConformanceReport;
  dom = await chromium('--dump-dom', `file://${join(out, REPORT_FILES.html)}`);
});

afterAll(async () => {
  await broken?.close();
  await upstream?.close();
  for (const dir of [out, userDataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the HTML report in headless Chromium', () => {
  it('shows the verdict and the failed check, open, with its message, authority, request and response', () => {
    const failed = report.results.find((r) => r.id === 'CK-ALIAS-LEN-256') as CheckResult;
    expect(failed.outcome).toBe('failed');
    expect(textOf(dom)).toContain('FAIL (1 MUST check failed): 3 checks');

    const element = checkElement('CK-ALIAS-LEN-256');
    expect(element).toMatch(/^<details class="check failed"[^>]*\bopen\b/);
    const text = textOf(element);
    expect(text).toContain('256-character alias: expected 400 KMS.1101 or 400 KMS.0308, got 200');
    expect(text).toContain(`authority${authorityOf(failed)}`);
    expect(text).toContain(`POST /v1.0/${ALICE.projectId}/kms/create-key`);
    expect(text).toMatch(/"key_alias":"ck-[0-9a-f]+-len-[0-9a-f]+x{200,}"/);
    expect(text).toContain('X-Auth-Token: ***');
    expect(text).toMatch(/HTTP 200\s[\s\S]*"key_info":\{"key_id":"[0-9a-f-]{36}"/);
    // The failure is listed above the areas, linking to the check.
    expect(dom).toMatch(/<ul class="failures"><li><a href="#check-CK-ALIAS-LEN-256">CK-ALIAS-LEN-256<\/a>/);
  });

  it('shows what the server sent as text: its markup is neither run nor rendered', () => {
    // In the serialized DOM, text keeps its "<" escaped: a "<" here is an element Chromium built.
    expect(dom).not.toMatch(/<(script|img)\b/i);
    expect(dom).not.toMatch(/<[^>]*\sonerror=/i);
    expect(textOf(checkElement('CK-ALIAS-LEN-0'))).toContain(`"error_msg":${JSON.stringify(MARKUP)}`);
    expect(dom).toMatch(/<title>FAIL[^<]*<\/title>/);
  });

  it('shows an empty token as (empty), never a real token', () => {
    expect(textOf(checkElement('CK-AUTH-EMPTY-TOKEN'))).toContain('X-Auth-Token: (empty)');
    expect(dom).not.toContain(ALICE.token);
    expect(dom).not.toContain(CAROL.token);
  });

  it('is self-contained: no script, no stylesheet link, no external source, and a policy that forbids loading any', () => {
    const html = readFileSync(join(out, REPORT_FILES.html), 'utf8');
    // Every "<" of text is escaped, so each "<" left opens a real tag.
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/<[^>]*\s(src|href|action)=(?!["']?#)/i);
    expect(/<style>([\s\S]*?)<\/style>/.exec(html)?.[1]).not.toMatch(/url\(|@import/);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
  });

  it('renders to a screenshot kept as a test artifact', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    await chromium(`--screenshot=${SCREENSHOT}`, '--window-size=1280,1000', `file://${join(out, REPORT_FILES.html)}`);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    process.stdout.write(`screenshot of the HTML report with a failure: ${SCREENSHOT}\n`);
  });
});
