/**
 * The audit trail fails closed: a key operation is answered only once its record is in the
 * audit log. A record that cannot be written (here the log is /dev/full, which fails every
 * write with ENOSPC) turns the answer into 503 KMS.0104 with Retry-After, refusals included;
 * the server keeps running and serves again once the log can be written. A torn last line left
 * by a crash is closed off at start, never continued.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startTestServer, type TestServer } from '../src/testing';

jest.setTimeout(60_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-audit-closed-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function post(server: TestServer, operation: string, body: unknown, token: string | undefined = server.token) {
  const res = await fetch(`${server.url}/v1.0/${server.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { 'X-Auth-Token': token }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

function auditLines(dataDir: string): string[] {
  return readFileSync(join(dataDir, 'audit.log'), 'utf8').split('\n').slice(0, -1);
}

it('answers 503 KMS.0104 with Retry-After, refusals too, while the audit log cannot be written; keeps serving; recovers on reopen', async () => {
  const dataDir = join(work, 'full');
  const logLines: string[] = [];
  const server = await startTestServer({ dataDir, logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) });
  try {
    // The log moves to a "disk" that takes no byte (a start refuses /dev/full itself: it is mode 666).
    unlinkSync(join(dataDir, 'audit.log'));
    symlinkSync('/dev/full', join(dataDir, 'audit.log'));
    expect(server.server.reopenAuditLog()).toBe(true);
    const unavailable = { status: 503, retryAfter: '5', body: { error: { error_code: 'KMS.0104', error_msg: expect.any(String) } } };
    expect(await post(server, 'create-key', { key_alias: 'first' })).toEqual(unavailable);
    expect(await post(server, 'create-key', { key_alias: 'second' })).toEqual(unavailable);
    // A refusal is not sent unaudited either: no token, an unknown token.
    expect(await post(server, 'list-keys', {}, undefined)).toEqual(unavailable);
    expect(await post(server, 'list-keys', {}, 'okms_unknown')).toEqual(unavailable);
    expect(await post(server, 'create-key', { key_alias: 'bad alias!' })).toEqual(unavailable);
    // The first failure is logged once, with its cause; later ones are not logged one by one.
    const failures = logLines.filter((line) => line.includes('the audit log cannot be written'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('ENOSPC');
    expect(logLines.join('')).not.toContain(server.token);

    // The disk "recovers": the log is a real file again (what logrotate + SIGHUP do).
    unlinkSync(join(dataDir, 'audit.log'));
    expect(server.server.reopenAuditLog()).toBe(true);
    const created = await post(server, 'create-key', { key_alias: 'second' });
    expect(created.status).toBe(200);
    const records = auditLines(dataDir).map((line) => JSON.parse(line) as Record<string, unknown>);
    // The gap shows in the trail itself: a `resumed` line, then the record.
    expect(records.slice(-2)).toEqual([
      expect.objectContaining({ type: 'resumed', failed_writes: expect.any(Number) }),
      expect.objectContaining({ operation: 'createKey', outcome: 'success', status: 200 }),
    ]);
    expect(logLines.some((line) => line.includes('the audit log is writable again'))).toBe(true);
  } finally {
    await server.stop();
  }
});

it('closes off a torn last line on start, so the next record is a line of its own', async () => {
  const dataDir = join(work, 'torn');
  mkdirSync(dataDir, { mode: 0o700 });
  const fragment = '{"type":"key-operation","time":1795425173452,"request_id":"a6ba';
  writeFileSync(join(dataDir, 'audit.log'), `{"type":"key-operation","time":1}\n${fragment}`, { mode: 0o600 });
  for (const alias of ['torn/a', 'torn/b']) {
    const server = await startTestServer({ dataDir, store: 'memory' });
    try {
      expect((await post(server, 'create-key', { key_alias: alias })).status).toBe(200);
    } finally {
      await server.stop();
    }
  }
  const lines = auditLines(dataDir);
  expect(lines[1]).toBe(fragment);
  expect(JSON.parse(lines[2]!)).toMatchObject({ type: 'torn-line' });
  // Both later records are whole lines; only one marker (the line was closed off once).
  expect(lines.slice(3).map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
    expect.objectContaining({ operation: 'createKey', outcome: 'success' }),
    expect.objectContaining({ operation: 'createKey', outcome: 'success' }),
  ]);
  expect(lines).toHaveLength(5);
});
