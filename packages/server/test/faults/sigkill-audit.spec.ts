/**
 * Fault: SIGKILL under create-key load, several rounds on one data directory. Every operation
 * answered 200 must be in the store AND in the audit log (the record is written before the
 * answer), and after each restart the audit log's lines all parse, or a torn last line is closed
 * off by a `torn-line` marker. Bounded: ROUNDS rounds, each killed after KILL_AFTER acknowledgements
 * or KILL_AFTER_MS, whichever comes first.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTenant, startServerProcess, writeTokenFile, type ServerProcess } from '../../src/testing';

jest.setTimeout(180_000);

const ROUNDS = 4;
const KILL_AFTER = [10, 35, 60, 90] as const;
const KILL_AFTER_MS = 20_000;
const CONCURRENCY = 8;

const tenant = newTenant();
const rootKeyHex = randomBytes(32).toString('hex');
let work: string;
let server: ServerProcess | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-sigkill-audit-'));
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
});
afterAll(async () => {
  await server?.kill();
  rmSync(work, { recursive: true, force: true });
});

function start(dataDir: string): Promise<ServerProcess> {
  return startServerProcess(['--data-dir', dataDir, '--token-file', join(work, 'tokens.json')], {
    cwd: work,
    env: { OPENKMS_ROOT_KEY: rootKeyHex },
    keepOutput: false,
  });
}

async function post(url: string, operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(`${url}/v1.0/${tenant.projectId}/kms/${operation}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined; // killed mid-request: not acknowledged
  }
}

/** The audit log's records; a torn line is accepted only when a `torn-line` marker follows it. */
function readAudit(path: string): Record<string, unknown>[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  // The file was written by a stopped server: it ends with a newline.
  expect(lines.pop()).toBe('');
  const records: Record<string, unknown>[] = [];
  lines.forEach((line, index) => {
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      const next = lines[index + 1];
      if (next === undefined || !next.includes('"type":"torn-line"')) throw new Error(`audit line ${index + 1} is torn and not closed off`);
    }
  });
  return records;
}

it('keeps every acknowledged create-key in the store and in the audit log across SIGKILLs', async () => {
  const dataDir = join(work, 'data');
  const acknowledged: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    server = await start(dataDir);
    const url = server.url;
    let acked = 0;
    let killed = false;
    const deadline = Date.now() + KILL_AFTER_MS;
    const kill = async () => {
      if (killed) return;
      killed = true;
      await server!.kill();
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!killed) {
          const answer = await post(url, 'create-key', { key_alias: `kill/${randomUUID()}` });
          if (answer?.status === 200) {
            acknowledged.push((answer.json.key_info as { key_id: string }).key_id);
            acked++;
          }
          if (acked >= KILL_AFTER[round]! || Date.now() > deadline) await kill();
        }
      }),
    );
    expect(killed).toBe(true);
  }

  // After the last kill: a start closes off any torn line; every acknowledged key is described and audited.
  server = await start(dataDir);
  for (const keyId of acknowledged) {
    const described = await post(server.url, 'describe-key', { key_id: keyId });
    expect([keyId, described?.status]).toEqual([keyId, 200]);
  }
  await server.stop();
  const records = readAudit(join(dataDir, 'audit.log'));
  const audited = new Set(records.filter((r) => r.operation === 'createKey' && r.outcome === 'success').map((r) => r.key_id));
  expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER.reduce((a, b) => a + b, 0));
  expect(acknowledged.filter((keyId) => !audited.has(keyId))).toEqual([]);
});
