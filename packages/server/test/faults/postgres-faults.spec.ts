/**
 * Issue 18: the database may fail; the server may not. Real `openkms-server` processes on a
 * private PostgreSQL cluster (never the shared one), under create-key load, while the database
 * has its connections terminated, is stopped and started, or is frozen (SIGSTOP). Each time:
 * the process keeps running, every answer is a 200 or a clean 503 KMS.0104 with Retry-After,
 * the server recovers by itself once the database is back, and every key it acknowledged is there.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newTenant, startServerProcess, writeTokenFile, type ServerProcess } from '../../src/testing';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';

jest.setTimeout(120_000);

const SERVER_ROOT = resolve(__dirname, '../..');
/** The server's database timeouts in these tests (--db-connect-timeout-ms, --db-query-timeout-ms). */
const CONNECT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 1000;
/** The driver waits this much past statement_timeout for an answer (postgres-key-store.ts). */
const CLIENT_READ_MARGIN_MS = 500;
/** Room for a loaded 2-core machine: scheduling, the HTTP round trip, the other store calls of a request. */
const SCHEDULING_MARGIN_MS = 3000;
/**
 * The longest a request may take while the database is frozen: one wait for a connection or
 * one statement, whichever the request was in, bounds it (a failure ends the request).
 */
const FROZEN_ANSWER_BOUND_MS =
  Math.max(CONNECT_TIMEOUT_MS, QUERY_TIMEOUT_MS + CLIENT_READ_MARGIN_MS) + CONNECT_TIMEOUT_MS + SCHEDULING_MARGIN_MS;
/** Longer than the bound, so that an answer within it can only come while the database is still frozen. */
const FREEZE_MS = FROZEN_ANSWER_BOUND_MS + 2500;
/** Guard of every HTTP call against a hang (never a timing assertion). */
const FETCH_GUARD_MS = 30_000;

const rootKeyHex = randomBytes(32).toString('hex');
const tenant = newTenant();

let pg: PrivatePostgres;
let work: string;
let tokenFile: string;
let server: ServerProcess | undefined;
let serverCount = 0;

beforeAll(async () => {
  if (!existsSync(join(SERVER_ROOT, 'dist', 'cli.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: SERVER_ROOT, stdio: 'inherit' });
  }
  work = mkdtempSync(join(tmpdir(), 'openkms-pg-faults-'));
  tokenFile = join(work, 'tokens.json');
  writeTokenFile(tokenFile, [tenant]);
  pg = await startPrivatePostgres();
}, 120_000);

afterEach(async () => {
  if (!server) return;
  const output = server.stdout() + server.stderr();
  await server.stop('SIGKILL');
  server = undefined;
  // Whatever happened, the password never showed, and nothing was left unhandled.
  expect(output).not.toContain(pg.password);
  expect(output).not.toMatch(/Unhandled|uncaught/i);
});

afterAll(() => {
  pg?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function startServer(): Promise<ServerProcess> {
  serverCount += 1;
  server = await startServerProcess(
    [
      '--data-dir',
      join(work, `data-${serverCount}`),
      '--token-file',
      tokenFile,
      '--db-connect-timeout-ms',
      String(CONNECT_TIMEOUT_MS),
      '--db-query-timeout-ms',
      String(QUERY_TIMEOUT_MS),
    ],
    { cwd: work, env: { OPENKMS_ROOT_KEY: rootKeyHex, OPENKMS_STORE: pg.url }, waitMs: 30_000 },
  );
  return server;
}

interface Outcome {
  /** 0: no HTTP answer at all (connection refused or reset). */
  readonly status: number;
  readonly code?: string;
  readonly retryAfter?: string | null;
  readonly keyId?: string;
  readonly startedAt: number;
  readonly elapsedMs: number;
}

async function post(url: string, action: string, body: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/v1.0/${tenant.projectId}/kms/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(FETCH_GUARD_MS),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function createKey(url: string, alias: string): Promise<Outcome> {
  const startedAt = Date.now();
  try {
    const res = await post(url, 'create-key', { key_alias: alias });
    return {
      status: res.status,
      code: res.body?.error?.error_code,
      retryAfter: res.headers.get('retry-after'),
      keyId: res.body?.key_info?.key_id,
      startedAt,
      elapsedMs: Date.now() - startedAt,
    };
  } catch {
    return { status: 0, startedAt, elapsedMs: Date.now() - startedAt };
  }
}

/** Create-key from several concurrent callers until stop(), bounded in count. */
function createKeyLoad(url: string, workers = 4, perWorker = 400): { outcomes: Outcome[]; stop(): Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let n = 0; n < perWorker && running; n += 1) {
      outcomes.push(await createKey(url, `fault/${serverCount}/${worker}/${n}`));
    }
  });
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `condition` holds. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, attempts = 100, intervalMs = 100): Promise<void> {
  for (let n = 0; n < attempts; n += 1) {
    if (await condition()) return;
    await sleep(intervalMs);
  }
  throw new Error(`not within ${attempts} attempts: ${what}`);
}

/** Every answer a 200 with a key, or a 503 KMS.0104 with Retry-After: no 500, no dropped connection. */
function expectCleanOutcomes(outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes) {
    const summary = {
      status: outcome.status,
      code: outcome.code,
      retryAfter: outcome.retryAfter != null,
      keyId: outcome.keyId !== undefined,
    };
    if (outcome.status === 200) expect(summary).toEqual({ status: 200, code: undefined, retryAfter: false, keyId: true });
    else expect(summary).toEqual({ status: 503, code: 'KMS.0104', retryAfter: true, keyId: false });
  }
}

function expectRunning(proc: ServerProcess): void {
  expect({ exitCode: proc.child.exitCode, signal: proc.child.signalCode }).toEqual({ exitCode: null, signal: null });
}

/** The server serves again by itself (bounded retries, no restart), and every key it acknowledged is there. */
async function expectRecoveryAndNoKeyLost(proc: ServerProcess, outcomes: readonly Outcome[]): Promise<void> {
  let recovered: Outcome | undefined;
  await eventually(async () => {
    recovered = await createKey(proc.url, `fault/${serverCount}/recovered/${randomBytes(4).toString('hex')}`);
    return recovered.status === 200;
  }, 'create-key answers 200 again');
  await eventually(async () => (await fetch(`${proc.url}/health/ready`)).status === 200, '/health/ready answers 200 again');
  const acknowledged = [...outcomes, recovered!].filter((outcome) => outcome.status === 200).map((outcome) => outcome.keyId!);
  expect(acknowledged.length).toBeGreaterThan(1);
  for (const keyId of acknowledged) {
    const described = await post(proc.url, 'describe-key', { key_id: keyId });
    expect({ status: described.status, keyId: described.body?.key_info?.key_id }).toEqual({ status: 200, keyId });
  }
  expectRunning(proc);
}

it('backends terminated under create-key load: no crash, only 200s and clean 503s, recovery, no acknowledged key lost', async () => {
  const proc = await startServer();
  const load = createKeyLoad(proc.url);
  await eventually(() => load.outcomes.some((outcome) => outcome.status === 200), 'the load gets its first 200');
  let terminated = 0;
  for (let round = 0; round < 8; round += 1) {
    terminated += await pg.terminateBackends();
    await sleep(150);
  }
  const outcomes = await load.stop();
  expect(terminated).toBeGreaterThan(0);
  expectRunning(proc);
  expectCleanOutcomes(outcomes);
  // The failures were seen and handled: a request answered 503, or a dropped connection reported.
  const handled = outcomes.some((outcome) => outcome.status === 503) || /a PostgreSQL connection failed/.test(proc.stdout());
  expect(handled).toBe(true);
  await expectRecoveryAndNoKeyLost(proc, outcomes);
});

it('PostgreSQL stopped (pg_ctl stop -m fast) and started under load: 503s while down, not ready but live, then recovery', async () => {
  const proc = await startServer();
  const load = createKeyLoad(proc.url);
  await eventually(() => load.outcomes.some((outcome) => outcome.status === 200), 'the load gets its first 200');
  pg.stop();
  const stoppedAt = Date.now();
  try {
    await eventually(
      () => load.outcomes.some((outcome) => outcome.startedAt > stoppedAt && outcome.status === 503),
      'a request sent while the database is down is answered 503',
    );
    await eventually(async () => (await fetch(`${proc.url}/health/ready`)).status === 503, '/health/ready answers 503');
    expect((await fetch(`${proc.url}/health/live`)).status).toBe(200);
    expectRunning(proc);
  } finally {
    pg.start();
  }
  const outcomes = await load.stop();
  expectCleanOutcomes(outcomes);
  await expectRecoveryAndNoKeyLost(proc, outcomes);
  expect(proc.stdout()).toMatch(/"store_error":"[^"]*(57P01|ECONNREFUSED|Connection terminated)/);
});

it('PostgreSQL frozen (SIGSTOP): live but not ready, requests answer 503 within the configured timeouts, not at the thaw; then recovery', async () => {
  const proc = await startServer();
  const load = createKeyLoad(proc.url);
  await eventually(() => load.outcomes.some((outcome) => outcome.status === 200), 'the load gets its first 200');
  const frozenAt = Date.now();
  pg.freeze();
  let thawedAt: number;
  try {
    // Meanwhile the process is live, and not ready: its readiness probe gets no answer.
    expect((await fetch(`${proc.url}/health/live`, { signal: AbortSignal.timeout(FETCH_GUARD_MS) })).status).toBe(200);
    await eventually(async () => (await fetch(`${proc.url}/health/ready`)).status === 503, '/health/ready answers 503', 3, 0);
    await sleep(Math.max(0, FREEZE_MS - (Date.now() - frozenAt)));
  } finally {
    pg.thaw();
    thawedAt = Date.now();
  }
  const outcomes = await load.stop();
  expectRunning(proc);
  expectCleanOutcomes(outcomes);
  // Every request in flight at some point of the freeze answered within the bound the timeouts give.
  const duringFreeze = outcomes.filter((outcome) => outcome.startedAt < thawedAt && outcome.startedAt + outcome.elapsedMs > frozenAt);
  expect(duringFreeze.length).toBeGreaterThan(0);
  for (const outcome of duringFreeze) {
    expect({ status: outcome.status, withinBound: outcome.elapsedMs <= FROZEN_ANSWER_BOUND_MS }).toEqual({
      status: outcome.status,
      withinBound: true,
    });
  }
  // And answers came while the database was still frozen: 503s, not a wait for the thaw.
  expect(duringFreeze.some((outcome) => outcome.status === 503 && outcome.startedAt + outcome.elapsedMs < thawedAt)).toBe(true);
  await expectRecoveryAndNoKeyLost(proc, outcomes);
});
