/**
 * The API reference page as a person sees it: GET /docs rendered by headless Chromium (Debian's
 * `chromium`, which .ci/run installs), under the page's own Content-Security-Policy, with
 * Chromium's own network off. Every operation of the spec must be on the rendered page. The
 * screenshot stays in test-artifacts/ (gitignored) for a human to look at.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadKmsSpec } from '../src/http/api-spec';
import { startTestServer, type TestServer } from '../src/testing';

jest.setTimeout(180_000);

const execFileAsync = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'api-docs.png');
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

let server: TestServer;
let userDataDir: string;

/** Chromium as CI runs it: headless, no sandbox (root), no network of its own, a fresh profile; time to render. */
function chromium(...args: string[]) {
  return execFileAsync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--virtual-time-budget=20000',
      `--user-data-dir=${userDataDir}`,
      ...args,
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 150_000 },
  );
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
  server = await startTestServer();
  userDataDir = mkdtempSync(join(tmpdir(), 'openkms-docs-chromium-'));
});

afterAll(async () => {
  await server?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe('GET /docs in headless Chromium', () => {
  it('lists every operation of the spec, and leaves a screenshot', async () => {
    const { stdout: dom } = await chromium('--dump-dom', `${server.url}/docs`);
    const operations = Object.entries(loadKmsSpec().paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.has(key))
        .map((method) => ({ method, path })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(6);
    for (const { method, path } of operations) {
      // Swagger UI renders each operation as an opblock holding its method and its path.
      expect({ path, rendered: dom.includes(`data-path="${path}"`) }).toEqual({ path, rendered: true });
      expect({ path, method, rendered: new RegExp(`opblock-${method}`).test(dom) }).toEqual({ path, method, rendered: true });
    }
    expect((dom.match(/class="opblock opblock-/g) ?? []).length).toBe(operations.length);
    // "Try it out" sends to the server the page came from (the spec's own entry names the default port).
    expect(dom).toMatch(new RegExp(`<option value="${server.url.replace(/[.]/g, '\\.')}"[^>]*>`));
    expect(dom).not.toContain('<option value="http://127.0.0.1:8080"');

    mkdirSync(ARTIFACTS, { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    await chromium(`--screenshot=${SCREENSHOT}`, '--window-size=1280,2400', `${server.url}/docs`);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });
});
