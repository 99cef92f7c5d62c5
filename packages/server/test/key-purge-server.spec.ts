/**
 * The server destroys keys past their deletion date on its own: at start, and then every
 * --purge-interval-ms. Seven days are skipped by moving the key's date in the SQLite file.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTenant, startServerProcess, writeTokenFile } from '../src/testing';

jest.setTimeout(60_000);

const rootKeyHex = randomBytes(32).toString('hex');
const tenant = newTenant();
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-purge-'));
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const start = (...extra: string[]) =>
  startServerProcess(['--data-dir', join(work, 'data'), '--token-file', join(work, 'tokens.json'), ...extra], {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: rootKeyHex },
  });

async function post(url: string, operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1.0/${tenant.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Moves a pending key's deletion date into the past, as if its waiting period had ended. */
function expire(keyId: string): void {
  const db = new Database(join(work, 'data', 'keys.sqlite'));
  try {
    expect(db.prepare('UPDATE keys SET scheduled_deletion_date = ? WHERE key_id = ?').run(Date.now() - 1, keyId).changes).toBe(1);
  } finally {
    db.close();
  }
}

function rowsOf(keyId: string): number {
  const db = new Database(join(work, 'data', 'keys.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM keys WHERE key_id = ?').get(keyId) as { n: number }).n;
  } finally {
    db.close();
  }
}

it('purges a key past its date at start, then on the interval, and logs each purge', async () => {
  let server = await start();
  const first = ((await post(server.url, 'create-key', { key_alias: 'purge/first' })).json.key_info as { key_id: string }).key_id;
  const second = ((await post(server.url, 'create-key', { key_alias: 'purge/second' })).json.key_info as { key_id: string }).key_id;
  for (const keyId of [first, second]) {
    expect((await post(server.url, 'schedule-key-deletion', { key_id: keyId, pending_days: '7' })).status).toBe(200);
  }
  await server.stop();

  expire(first);
  server = await start('--purge-interval-ms', '1000');
  try {
    const atStart = await server.waitForLine((line) => line.msg === 'keys past their deletion date destroyed', 'the purge log line');
    expect(atStart.purged_keys).toEqual([first]);
    expect(rowsOf(first)).toBe(0);
    expect(rowsOf(second)).toBe(1);
    // The alias is free again.
    expect((await post(server.url, 'create-key', { key_alias: 'purge/first' })).status).toBe(200);

    expire(second);
    await server.waitUntil(() => (rowsOf(second) === 0 ? true : undefined), 'the purge on the interval');
    expect((await post(server.url, 'describe-key', { key_id: second })).status).toBe(404);
  } finally {
    await server.stop();
  }
});

it('--dev-min-pending-days lowers the minimum for local testing, and says so loudly at start', async () => {
  const server = await start('--dev-min-pending-days', '1');
  try {
    const warning = server.logLines().find((line) => line.dev_min_pending_days === 1);
    expect(warning).toMatchObject({ level: 40, msg: expect.stringMatching(/^DEVELOPMENT OPTION ON/) });
    const keyId = ((await post(server.url, 'create-key', { key_alias: 'dev/short' })).json.key_info as { key_id: string }).key_id;
    expect((await post(server.url, 'schedule-key-deletion', { key_id: keyId, pending_days: '1' })).status).toBe(200);
  } finally {
    await server.stop();
  }
  // Off by default: the API's 7 days.
  const plain = await start();
  try {
    expect(plain.logLines().some((line) => 'dev_min_pending_days' in line)).toBe(false);
    const keyId = ((await post(plain.url, 'create-key', { key_alias: 'dev/long' })).json.key_info as { key_id: string }).key_id;
    expect((await post(plain.url, 'schedule-key-deletion', { key_id: keyId, pending_days: '6' })).status).toBe(400);
  } finally {
    await plain.stop();
  }
});
