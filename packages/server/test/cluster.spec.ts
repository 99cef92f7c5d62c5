/**
 * `openkms-server --workers N`: N processes on one port over one SQLite store, a worker that
 * dies is replaced, SIGTERM stops them all.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { runOpenkms, startServerProcess, type NodeProcess } from '../src/testing';

jest.setTimeout(60_000);

/** Guard against a hang only; never a timing assertion. */
const WAIT_MS = 30_000;

let dir: string;
let child: ChildProcess | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openkms-cluster-'));
});
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Output {
  readonly stdout: string;
  readonly stderr: string;
}

/** A process's output so far, read anew on each access. */
function outputOf(proc: NodeProcess): Output {
  return {
    get stdout() {
      return proc.stdout();
    },
    get stderr() {
      return proc.stderr();
    },
  };
}

function lines(output: Output): Array<Record<string, unknown>> {
  return output.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** What the cluster printed so far, for the message of a failed wait. */
let printed: Output = { stdout: '', stderr: '' };

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; stdout:\n${printed.stdout.slice(-3000)}\nstderr:\n${printed.stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('serves one port from N workers, replaces a dead worker, and stops cleanly on SIGTERM', async () => {
  const proc = runOpenkms(['--workers', '2', '--port', '0', '--data-dir', join(dir, 'data')], { cwd: dir });
  child = proc.child;
  const output = outputOf(proc);
  printed = output;
  const exited = proc.exited.then((exit) => exit.code);

  const url = await waitFor(
    'the cluster to listen',
    () => lines(output).find((line) => line.msg === 'openkms cluster listening')?.url as string | undefined,
  );
  const token = await waitFor('the development token', () => /X-Auth-Token: (okms_\S+)/.exec(output.stderr)?.[1]);
  const projectId = /project_id: +([0-9a-f]{32})/.exec(output.stderr)![1]!;
  // Shown once, by the primary, not by each worker.
  expect(output.stderr.match(/OpenKMS created a development token/g)).toHaveLength(1);
  await waitFor('both workers', () =>
    lines(output).filter((line) => line.msg === 'openkms server listening').length >= 2 ? true : undefined,
  );

  const call = (alias: string) =>
    fetch(`${url}/v1.0/${projectId}/kms/create-key`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token, Connection: 'close' },
      body: JSON.stringify({ key_alias: alias }),
    });
  // node:cluster hands each connection to a free worker; on a loaded machine one worker can take a
  // whole burst, so bursts go on (up to 20) until both have served.
  const servingPids = new Set<unknown>();
  for (let burst = 0; burst < 20 && servingPids.size < 2; burst++) {
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, n) => call(`cluster/${burst * 20 + n}`).then((res) => res.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
    for (const line of lines(output)) if (line.msg === 'key created') servingPids.add(line.pid);
  }
  expect(servingPids.size).toBe(2);

  // One store behind all workers: an alias taken through one worker is taken for all.
  const again = await Promise.all(Array.from({ length: 10 }, () => call('cluster/0').then((res) => res.status)));
  expect(again.every((status) => status === 400)).toBe(true);

  // A worker killed outright is replaced, and the port keeps being served.
  const victim = [...servingPids][0] as number;
  process.kill(victim, 'SIGKILL');
  await waitFor('a replacement worker', () =>
    lines(output).some((line) => line.msg === 'a worker exited; starting another') ? true : undefined,
  );
  await waitFor('the replacement to listen', () =>
    lines(output).filter((line) => line.msg === 'openkms server listening').length >= 3 ? true : undefined,
  );
  expect((await call('cluster/after-kill')).status).toBe(200);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(lines(output).map((line) => line.msg)).toContain('openkms cluster stopped');
  // Every worker finished gracefully, none by the forced exit.
  expect(lines(output).filter((line) => line.msg === 'openkms server stopped')).toHaveLength(2);
  expect(lines(output).map((line) => line.msg)).not.toContain('in-flight requests did not finish in 10 s; exiting');
});

it('refuses --workers with the memory store', async () => {
  const proc = runOpenkms(['--workers', '2', '--store', 'memory', '--port', '0', '--data-dir', join(dir, 'mem')], { cwd: dir });
  const { code } = await proc.exited;
  expect(code).toBe(2);
  expect(proc.stderr()).toMatch(/--workers > 1 needs a shared store/);
});

it('stops with exit code 1, instead of waiting forever, when its workers cannot start (wrong root key)', async () => {
  const dataDir = join(dir, 'wrong-key');
  // A store made under one root key…
  const first = await startServerProcess(['--data-dir', dataDir], { cwd: dir, waitMs: WAIT_MS });
  await first.stop();

  // …then a cluster given another one.
  const wrong = runOpenkms(['--workers', '2', '--port', '0', '--data-dir', dataDir], {
    cwd: dir,
    env: { OPENKMS_ROOT_KEY: randomBytes(32).toString('hex') },
  });
  const output = outputOf(wrong);
  printed = output;
  const { code } = await wrong.exited;
  expect(code).toBe(1);
  const messages = lines(output).map((line) => line.msg);
  expect(messages).toContain('openkms server failed to start');
  expect(messages).toContain('a worker failed to start; stopping the cluster');
  expect(messages).not.toContain('a worker exited; starting another');
  expect(output.stdout).toMatch(/check value mismatch/);
});

/** Opens a connection, sends one keep-alive GET /health, and resolves with the socket and the first whole answer. */
function healthOnNewConnection(port: number): Promise<{ socket: Socket; status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const settle = () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = received.slice(0, end);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      const body = received.slice(end + 4);
      if (body.length < length) return false;
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head, body });
      return true;
    };
    socket.on('data', (chunk) => {
      received += chunk.toString();
      settle();
    });
    socket.on('close', () => settle() || reject(new Error(`closed with ${JSON.stringify(received)}`)));
    socket.on('error', reject);
    socket.on('connect', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
  });
}

it("--max-connections is the whole cluster's limit: the workers together hold at most that many, and one more gets a short 503", async () => {
  const proc = runOpenkms(['--workers', '2', '--max-connections', '4', '--port', '0', '--data-dir', join(dir, 'limit')], { cwd: dir });
  child = proc.child;
  const output = outputOf(proc);
  printed = output;
  const url = await waitFor(
    'the cluster to listen',
    () => lines(output).find((line) => line.msg === 'openkms cluster listening')?.url as string | undefined,
  );
  await waitFor('both workers', () =>
    lines(output).filter((line) => line.msg === 'openkms server listening').length >= 2 ? true : undefined,
  );
  const port = Number(new URL(url).port);

  const open: Socket[] = [];
  let refused: { status: number; head: string; body: string } | undefined;
  // Each worker holds 2; however node:cluster spreads them, the 5th connection at the latest is refused.
  for (let attempt = 0; attempt < 5 && !refused; attempt++) {
    const answer = await healthOnNewConnection(port);
    if (answer.status === 200) open.push(answer.socket);
    else refused = answer;
  }
  expect(open.length).toBeLessThanOrEqual(4);
  expect(refused?.status).toBe(503);
  expect(JSON.parse(refused!.body)).toEqual({ error: { error_code: 'KMS.0104', error_msg: expect.any(String) } });
  expect(refused!.head).toMatch(/\r\nConnection: close/i);

  // Nothing was queued: once the held connections close, new ones are served again.
  for (const socket of open) socket.destroy();
  let served = false;
  // The workers see the closes a moment later; bounded in count, not a timing assertion.
  for (let attempt = 0; attempt < 100 && !served; attempt++) {
    const answer = await healthOnNewConnection(port);
    answer.socket.destroy();
    served = answer.status === 200;
    if (!served) await new Promise((r) => setTimeout(r, 50));
  }
  expect(served).toBe(true);
  child.kill('SIGTERM');
  expect((await proc.exited).code).toBe(0);
});
