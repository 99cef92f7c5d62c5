/**
 * Fault: the request log (stdout) cannot be written, as when it is redirected to a file on a full
 * disk (here stdout is /dev/full, which fails every write with ENOSPC). The server keeps serving
 * (the request log is not fail-closed, unlike the audit log) and says so once on stderr.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnvironment, newTenant, SERVER_BIN, writeTokenFile } from '../../src/testing';

jest.setTimeout(60_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-log-full-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

it('keeps serving when its stdout log cannot be written', async () => {
  const tenant = newTenant();
  writeTokenFile(join(work, 'tokens.json'), [tenant]);
  const port = await freePort();
  const full = openSync('/dev/full', 'w');
  const child = spawn(
    process.execPath,
    [SERVER_BIN, '--port', String(port), '--data-dir', join(work, 'data'), '--token-file', join(work, 'tokens.json')],
    {
      cwd: work,
      env: cleanEnvironment({ OPENKMS_ROOT_KEY: randomBytes(32).toString('hex') }),
      stdio: ['ignore', full, 'pipe'],
    },
  );
  closeSync(full);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = `http://127.0.0.1:${port}`;
    // Bounded wait for the server to listen (it logs nothing we can read): 150 tries, 30 s at most.
    let up = false;
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; attempt < 150 && !up && child.exitCode === null && Date.now() < deadline; attempt++) {
      up = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        (res) => res.ok,
        () => false,
      );
      if (!up) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect({ up, exitCode: child.exitCode, stderr }).toEqual({ up: true, exitCode: null, stderr: expect.any(String) });
    for (let n = 0; n < 5; n++) {
      const res = await fetch(`${url}/v1.0/${tenant.projectId}/kms/create-key`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token },
        body: JSON.stringify({ key_alias: `log-full/${n}` }),
      });
      expect(res.status).toBe(200);
    }
    expect(child.exitCode).toBeNull();
    expect(stderr).toMatch(/the log \(stdout\) cannot be written \(ENOSPC\)/);
    expect(stderr.match(/cannot be written/g)).toHaveLength(1);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
});
