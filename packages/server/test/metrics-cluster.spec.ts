/**
 * `openkms-server --workers 2 --metrics`: a scrape reaches one worker, yet counts every
 * worker's requests (the primary sums them with prom-client's AggregatorRegistry), and the
 * keys gauge is the store's count, not one per worker. Runs `node bin/openkms-server.js` (../dist).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runOpenkms, type NodeProcess } from '../src/testing';

jest.setTimeout(120_000);

const SERVER_ROOT = resolve(__dirname, '..');
let dir: string;
let proc: NodeProcess | undefined;

beforeAll(() => {
  if (!existsSync(join(SERVER_ROOT, 'dist', 'cli.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: SERVER_ROOT, stdio: 'inherit' });
  }
  dir = mkdtempSync(join(tmpdir(), 'openkms-metrics-cluster-'));
}, 120_000);

afterAll(async () => {
  await proc?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One request on a connection of its own (no agent), so node:cluster may hand each to another worker. */
function call(url: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolveCall, reject) => {
    const req = request(`${url}${path}`, { method: body === undefined ? 'GET' : 'POST', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolveCall({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sample = (text: string, line: RegExp): number => Number(line.exec(text)?.[1] ?? NaN);

it('sums the workers’ counters and reads the keys gauge once', async () => {
  proc = runOpenkms(['--workers', '2', '--port', '0', '--metrics', '--log-format', 'json', '--data-dir', join(dir, 'data')], {
    cwd: dir,
  });
  const listening = () =>
    proc!
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const url = await proc.waitUntil(
    () => listening().find((l) => l.msg === 'openkms cluster listening')?.url as string | undefined,
    'cluster',
  );
  await proc.waitUntil(
    () => (listening().filter((l) => l.msg === 'openkms server listening').length >= 2 ? true : undefined),
    'both workers',
  );
  const token = await proc.waitForStderr(/X-Auth-Token: (okms_\S+)/).then((m) => m[1]!);
  const projectId = (await proc.waitForStderr(/project_id: +([0-9a-f]{32})/))[1]!;

  const created = await call(
    url,
    `/v1.0/${projectId}/kms/create-key`,
    { 'Content-Type': 'application/json', 'X-Auth-Token': token },
    '{"key_alias":"c-1"}',
  );
  expect(created.status).toBe(200);
  const statuses = await Promise.all(Array.from({ length: 40 }, () => call(url, '/no/such/path').then((r) => r.status)));
  expect(statuses.every((status) => status === 404)).toBe(true);
  // Both workers served some (else one worker's own count would pass for the sum). On a loaded
  // machine one worker may take a whole burst: more bursts then, counted below.
  let sent = 40;
  const servedBy = () =>
    new Set(
      listening()
        .filter((l) => (l.req as { url?: string })?.url === '/no/such/path')
        .map((l) => l.pid),
    );
  await proc.waitUntil(
    () => (listening().filter((l) => (l.req as { url?: string })?.url === '/no/such/path').length >= sent ? true : undefined),
    'log lines',
  );
  while (servedBy().size < 2 && sent < 400) {
    await Promise.all(Array.from({ length: 40 }, () => call(url, '/no/such/path')));
    sent += 40;
    await proc.waitUntil(
      () => (listening().filter((l) => (l.req as { url?: string })?.url === '/no/such/path').length >= sent ? true : undefined),
      'log lines',
    );
  }
  expect(servedBy().size).toBe(2);

  // Whichever worker answers, every scrape shows all of them, and the one key once.
  for (let scrape = 0; scrape < 4; scrape++) {
    const metrics = await call(url, '/metrics');
    expect(metrics.status).toBe(200);
    expect(sample(metrics.text, /^openkms_http_requests_total\{operation="unknown",status="404"\} (\d+)$/m)).toBe(sent);
    expect(sample(metrics.text, /^openkms_http_requests_total\{operation="createKey",status="200"\} (\d+)$/m)).toBe(1);
    expect(sample(metrics.text, /^openkms_keys\{state="2"\} (\d+)$/m)).toBe(1);
  }
});
