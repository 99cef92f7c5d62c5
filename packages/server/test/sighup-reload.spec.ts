/**
 * SIGHUP, on the real command: the audit log is reopened (logrotate moves it away first), and
 * the token file is read again, so that a removed token is refused right after; a broken token
 * file keeps the tokens held and logs why, never a token. With --workers every worker reloads.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTenant, startServerProcess, writeTokenFile, type ServerProcess, type TestTenant } from '../src/testing';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-sighup-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function listKeys(server: ServerProcess, tenant: TestTenant, requestId?: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${server.url}/v1.0/${tenant.projectId}/kms/list-keys`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token, ...(requestId && { 'X-Request-Id': requestId }) },
    body: '{}',
  });
  const body = (await res.json()) as { error?: { error_code: string } };
  return { status: res.status, ...(body.error && { code: body.error.error_code }) };
}

/** Sends SIGHUP and waits until `count` processes logged `message` after it (each line names its pid). */
async function hangUp(server: ServerProcess, message: string, count: number): Promise<void> {
  const before = server.logLines().filter((line) => line.msg === message).length;
  process.kill(server.pid, 'SIGHUP');
  await server.waitUntil(() => {
    const pids = new Set(
      server
        .logLines()
        .filter((line) => line.msg === message)
        .slice(before)
        .map((line) => line.pid),
    );
    return pids.size >= count ? true : undefined;
  }, `${count} "${message}" log line(s) after SIGHUP`);
}

function auditRequestIds(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { request_id?: string }).request_id ?? '');
}

it('reopens the audit log after logrotate moved it, and takes the edited token file: a removed token is refused at once', async () => {
  const dataDir = join(work, 'single');
  const tokenFile = join(work, 'single-tokens.json');
  const [kept, removed] = [newTenant(), newTenant()];
  writeTokenFile(tokenFile, [kept, removed]);
  const server = await startServerProcess(['--data-dir', dataDir, '--token-file', tokenFile], { cwd: work });
  try {
    expect(await listKeys(server, removed, 'before-rotation')).toEqual({ status: 200 });

    renameSync(join(dataDir, 'audit.log'), join(dataDir, 'audit.log.1'));
    writeTokenFile(tokenFile, [kept]);
    await hangUp(server, 'tokens reloaded', 1);
    await server.waitForLine((line) => line.msg === 'audit log reopened', 'the audit log reopened');

    expect(await listKeys(server, removed, 'removed-token')).toEqual({ status: 403, code: 'KMS.0302' });
    expect(await listKeys(server, kept, 'after-rotation')).toEqual({ status: 200 });
    expect(auditRequestIds(join(dataDir, 'audit.log.1'))).toEqual(['before-rotation']);
    expect(auditRequestIds(join(dataDir, 'audit.log'))).toEqual(['removed-token', 'after-rotation']);

    // A broken file: the tokens held stay in use, and the log says why without quoting the file.
    const secretLooking = 'okms_this_must_never_be_logged';
    writeFileSync(tokenFile, `{"tokens": [${secretLooking}`, { mode: 0o600 });
    await hangUp(server, 'token reload failed; keeping the tokens held before', 1);
    expect(await listKeys(server, kept)).toEqual({ status: 200 });
    expect(await listKeys(server, removed)).toEqual({ status: 403, code: 'KMS.0302' });
    expect(server.stdout() + server.stderr()).not.toContain(secretLooking);
  } finally {
    await server.stop();
  }
});

it('with --workers, every worker takes the edited token file', async () => {
  const WORKERS = 2;
  const dataDir = join(work, 'cluster');
  const tokenFile = join(work, 'cluster-tokens.json');
  const [kept, removed] = [newTenant(), newTenant()];
  writeTokenFile(tokenFile, [kept, removed]);
  const server = await startServerProcess(['--data-dir', dataDir, '--token-file', tokenFile, '--workers', String(WORKERS)], {
    cwd: work,
    cluster: true,
  });
  try {
    // Both workers serve before the reload (a worker still starting reads the file itself).
    await server.waitUntil(
      () =>
        new Set(
          server
            .logLines()
            .filter((line) => line.msg === 'openkms server listening')
            .map((line) => line.pid),
        ).size >= WORKERS
          ? true
          : undefined,
      'every worker listening',
    );
    expect(await listKeys(server, removed)).toEqual({ status: 200 });
    writeTokenFile(tokenFile, [kept]);
    await hangUp(server, 'tokens reloaded', WORKERS);
    // …and every worker reopened its audit log.
    await server.waitUntil(
      () =>
        new Set(
          server
            .logLines()
            .filter((line) => line.msg === 'audit log reopened')
            .map((line) => line.pid),
        ).size >= WORKERS
          ? true
          : undefined,
      'every worker reopening its audit log',
    );
    // Connections are spread over the workers: many new ones, each refused.
    for (let n = 0; n < 20; n++) expect(await listKeys(server, removed)).toEqual({ status: 403, code: 'KMS.0302' });
    expect(await listKeys(server, kept)).toEqual({ status: 200 });
  } finally {
    await server.stop();
  }
});
