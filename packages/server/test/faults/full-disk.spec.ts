/**
 * Fault: the filesystem under the data directory (audit log and SQLite store) fills up under
 * create-key load. A real server process on a tmpfs of a few MB, filled by a filler file.
 * Expected: no crash; while full, every answer is 200 or 503 KMS.0104 with Retry-After (never
 * a 500 or a dropped connection); recovery without restart once space is freed; an audit log
 * whose every line parses, holding every acknowledged key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTenant, startServerProcess, writeTokenFile, type ServerProcess } from '../../src/testing';
import { mountTmpfs, unmount } from './mount-tmpfs';

jest.setTimeout(180_000);

const TMPFS_BYTES = 4 * 1024 * 1024;
const tenant = newTenant();
let work: string;
let mountPoint: string | undefined;
let server: ServerProcess | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-full-disk-'));
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
  mountTmpfs(join(work, 'mnt'), TMPFS_BYTES);
  mountPoint = join(work, 'mnt');
});
afterAll(async () => {
  await server?.kill();
  if (mountPoint) unmount(mountPoint);
  rmSync(work, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { key_info?: { key_id: string }; error?: { error_code: string } };
}

async function createKey(url: string): Promise<Answer> {
  const res = await fetch(`${url}/v1.0/${tenant.projectId}/kms/create-key`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token },
    body: JSON.stringify({ key_alias: `full/${randomUUID()}` }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
}

/** `count` create-key calls, `concurrency` at a time. */
async function load(url: string, count: number, concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        answers.push(await createKey(url));
      }
    }),
  );
  return answers;
}

/** Writes zeros to `path` until the filesystem refuses (bounded by its size). */
function fillUp(path: string): void {
  const fd = openSync(path, 'w', 0o600);
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (let written = 0; written <= TMPFS_BYTES;) written += writeSync(fd, chunk);
    throw new Error('the tmpfs took more than its size');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

it('answers 503 KMS.0104 while the disk is full, keeps running, recovers when space is freed, and leaves an intact audit log', async () => {
  const dataDir = join(mountPoint!, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  server = await startServerProcess(['--data-dir', dataDir, '--token-file', join(work, 'tokens.json')], {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: randomBytes(32).toString('hex') },
    keepOutput: false,
  });
  const acknowledged: string[] = [];
  const note = (answers: Answer[]) => answers.forEach((a) => a.status === 200 && acknowledged.push(a.body.key_info!.key_id));

  const before = await load(server.url, 30, 4);
  expect(before.map((a) => a.status)).toEqual(before.map(() => 200));
  note(before);

  fillUp(join(mountPoint!, 'filler'));
  const whileFull = await load(server.url, 60, 4);
  note(whileFull);
  const unexpected = whileFull.filter(
    (a) => a.status !== 200 && !(a.status === 503 && a.retryAfter !== null && a.body.error?.error_code === 'KMS.0104'),
  );
  expect(unexpected).toEqual([]);
  expect(whileFull.filter((a) => a.status === 503).length).toBeGreaterThan(40);
  expect(server.child.exitCode).toBeNull();
  expect((await fetch(`${server.url}/health`)).status).toBe(200);

  unlinkSync(join(mountPoint!, 'filler'));
  const after = await load(server.url, 30, 4);
  note(after);
  expect(after.map((a) => a.status)).toEqual(after.map(() => 200));

  await server.stop();
  expect(server.child.exitCode).toBe(0);
  const lines = readFileSync(join(dataDir, 'audit.log'), 'utf8').split('\n');
  expect(lines.pop()).toBe('');
  const records = lines.map((line, index) => {
    try {
      return JSON.parse(line) as { type: string; key_id?: string; outcome?: string };
    } catch {
      throw new Error(`audit line ${index + 1} does not parse: ${line.slice(0, 200)}`);
    }
  });
  const audited = new Set(records.filter((r) => r.outcome === 'success').map((r) => r.key_id));
  expect(acknowledged.filter((keyId) => !audited.has(keyId))).toEqual([]);
  expect(records.some((r) => r.type === 'resumed')).toBe(true);
});
