/**
 * The API reference page as a person sees it and uses it: GET /docs rendered by headless Chromium
 * (test/support/headless-chromium.ts), under the page's own Content-Security-Policy, with
 * Chromium's own network off. Every operation of the spec must be on the rendered page; and a
 * person can authorize with a token, click "Try it out" and "Execute" on list-keys, and read the
 * server's 200 answer on the page, with no request leaving for anywhere but this server. The
 * screenshots stay in test-artifacts/ (gitignored) for a human to look at.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startOpenKms, type OpenKms } from '@openkms/server/testing';
import { launchChromium, requireChromium, runChromium } from '../support/headless-chromium';

jest.setTimeout(180_000);

const ARTIFACTS = resolve(__dirname, '../../test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'api-docs.png');
const TRY_IT_OUT_SCREENSHOT = join(ARTIFACTS, 'api-docs-try-it-out.png');
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** A seeded key, so that the answer rendered on the page is recognisably this server's. */
const SEEDED_KEY_ID = '3c1e5d7a-9b2f-4c6d-8e0a-1b3c5d7e9f10';

let server: OpenKms;
let userDataDir: string;

beforeAll(async () => {
  requireChromium();
  server = await startOpenKms({ seed: { keys: [{ key_id: SEEDED_KEY_ID, key_alias: 'docs-page-key' }] } });
  userDataDir = mkdtempSync(join(tmpdir(), 'openkms-docs-chromium-'));
});

afterAll(async () => {
  await server?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** The page as Chromium renders it once its scripts ran (virtual time, so no wall-clock wait). */
const renderedDocs = (...args: string[]) =>
  runChromium(userDataDir, ['--virtual-time-budget=20000', ...args, `${server.url}/docs`], 150_000);

describe('GET /docs in headless Chromium', () => {
  it('lists every operation of the spec, and leaves a screenshot', async () => {
    const dom = await renderedDocs('--dump-dom');
    // The spec the server enforces, as it serves it.
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
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
    await renderedDocs(`--screenshot=${SCREENSHOT}`, '--window-size=1280,2400');
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  it('authorizes with a token, runs list-keys with "Try it out" and "Execute", and shows the 200 answer; nothing leaves for the network', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const origin = new URL(server.url).origin;
      const requests: { method: string; url: string }[] = [];
      const elsewhere: string[] = [];
      // Anything not bound for this server is recorded and never sent.
      await page.route('**/*', (route) => {
        const url = route.request().url();
        requests.push({ method: route.request().method(), url });
        if (new URL(url).origin === origin) return route.continue();
        elsewhere.push(url);
        return route.abort('blockedbyclient');
      });

      await page.goto(`${server.url}/docs`);
      await page.locator('.opblock').first().waitFor();

      // Authorize: the X-Auth-Token scheme of the spec (AuthToken), with the test server's token.
      await page.locator('.btn.authorize').click();
      const modal = page.locator('.modal-ux');
      const tokenForm = modal.locator('form').filter({ hasText: 'AuthToken (apiKey)' });
      await tokenForm.locator('input').fill(server.token);
      await tokenForm.locator('button.authorize').click();
      await modal.locator('button.btn-done').first().click();

      const listKeys = page.locator('#operations-Keys-listKeys');
      await listKeys.locator('.opblock-summary-control').click();
      await listKeys.locator('.try-out__btn').click();
      await listKeys.locator('tr[data-param-name="project_id"] input').fill(server.projectId);
      // The request body stays the spec's example, as a person would leave it.
      await listKeys.locator('.btn.execute').click();

      const answer = listKeys.locator('.live-responses-table');
      const status = answer.locator('td.response-col_status:not(.col_header)');
      await status.waitFor();
      expect(await status.innerText()).toBe('200');
      const body = await answer.locator('.response-col_description .microlight, .response-col_description pre').first().innerText();
      expect(JSON.parse(body)).toMatchObject({ keys: [SEEDED_KEY_ID], total: 1 });

      mkdirSync(ARTIFACTS, { recursive: true });
      await answer.scrollIntoViewIfNeeded();
      await page.screenshot({ path: TRY_IT_OUT_SCREENSHOT });
      expect(statSync(TRY_IT_OUT_SCREENSHOT).size).toBeGreaterThan(10_000);

      // The call went to this server, with the token; the page's assets came from it too.
      const calls = requests.filter((request) => request.url.endsWith('/kms/list-keys'));
      expect(calls).toEqual([{ method: 'POST', url: `${server.url}/v1.0/${server.projectId}/kms/list-keys` }]);
      expect(requests.some((request) => request.url === `${server.url}/docs/assets/swagger-ui-bundle.js`)).toBe(true);
      expect(elsewhere).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
