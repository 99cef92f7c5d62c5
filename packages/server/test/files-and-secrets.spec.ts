/**
 * Credentials and files: the server refuses to start over files or directories other users may
 * read or write (data directory, token file, audit log, store), and over a root key without
 * entropy; the query string (where a careless client may put a token) never reaches a log.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { newTenant, startTestServer, testServerConfig, writeTokenFile } from '../src/testing';
import { startServer } from '../src/runtime/server';

jest.setTimeout(60_000);

let work: string;
let counter = 0;
const rootKeyHex = randomBytes(32).toString('hex');
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-files-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A data directory (0700) with a token file (0600), ready for a start. */
function dataDir(): string {
  const dir = join(work, `d${counter++}`);
  mkdirSync(dir, { mode: 0o700 });
  writeTokenFile(join(dir, 'tokens.json'), [newTenant()]);
  return dir;
}

async function startRefused(dir: string, overrides: Parameters<typeof testServerConfig>[1] = {}): Promise<string> {
  const config = testServerConfig(dir, { rootKey: rootKeyHex, ...overrides });
  const started = await startServer(config, pino({ level: 'silent' })).then(
    async (server) => {
      await server.close();
      return 'started';
    },
    (error: Error) => error.message,
  );
  return started;
}

describe('files and directories open to other users are refused at start', () => {
  it.each([
    ['data directory', '', 0o755, /data directory .* is accessible by other users \(mode 755\); run chmod 700 on it/],
    ['data directory (group)', '', 0o770, /data directory .*\(mode 770\); run chmod 700/],
    ['token file', 'tokens.json', 0o644, /token file .*tokens\.json is accessible by other users \(mode 644\); run chmod 600 on it/],
    ['token file (world-writable)', 'tokens.json', 0o602, /token file .*\(mode 602\)/],
    ['audit log', 'audit.log', 0o640, /audit log .*audit\.log is accessible by other users \(mode 640\); run chmod 600/],
    ['key store', 'keys.sqlite', 0o644, /key store file .*keys\.sqlite is accessible by other users \(mode 644\)/],
  ])('%s', async (_what, file, mode, message) => {
    const dir = dataDir();
    if (file === 'audit.log' || file === 'keys.sqlite') {
      // Made by a first start, then opened up.
      expect(await startRefused(dir)).toBe('started');
    }
    chmodSync(join(dir, file), mode);
    expect(await startRefused(dir)).toMatch(message);
    chmodSync(join(dir, file), file === '' ? 0o700 : 0o600);
    expect(await startRefused(dir)).toBe('started');
  });

  it('a token file open to others is refused on reload too, and the tokens held stay in use', async () => {
    const tenant = newTenant();
    const server = await startTestServer({ tenants: [tenant] });
    try {
      chmodSync(join(server.dataDir, 'tokens.json'), 0o666);
      expect(server.server.reloadTokens()).toBe(false);
      const res = await fetch(`${server.url}/v1.0/${tenant.projectId}/kms/list-keys`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': tenant.token },
        body: '{}',
      });
      expect(res.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('a root key without entropy is refused', () => {
  it.each([
    ['all zero', '00'.repeat(32)],
    ['one repeated byte', 'ab'.repeat(32)],
    ['a short repeated pattern', '0123456789abcdef'.repeat(4)],
  ])('%s, given in the environment, for a new store and on start over an existing one', async (_what, hex) => {
    const dir = dataDir();
    expect(await startRefused(dir, { rootKey: hex })).toMatch(
      /the root key \(OPENKMS_ROOT_KEY\) is refused: its 32 bytes take only \d+ distinct value/,
    );
    expect(await startRefused(dir, { rootKey: hex })).not.toContain(hex);
  });

  it('in the root key file too; a weak previous root key is accepted, so a store can be rotated off it', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'root.key'), `${'00'.repeat(32)}\n`, { mode: 0o600 });
    const config = testServerConfig(dir, { rootKey: undefined });
    const refused = await startServer(config, pino({ level: 'silent' })).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/the root key \(.*root\.key\) is refused: its 32 bytes take only 1 distinct value/);

    const rotating = dataDir();
    writeFileSync(join(rotating, 'root.key.previous'), `${'00'.repeat(32)}\n`, { mode: 0o600 });
    expect(await startRefused(rotating)).toBe('started');
  });
});

it('never logs the query string: a token put there stays out of every log line', async () => {
  const lines: string[] = [];
  const server = await startTestServer({ logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }) });
  const secret = `okms_${randomBytes(24).toString('base64url')}`;
  try {
    for (const path of [`/v1.0/${server.projectId}/kms/list-keys`, `/v1.0/${server.projectId}/kms/nope`, '/health']) {
      const res = await fetch(`${server.url}${path}?X-Auth-Token=${secret}&token=${secret}`, {
        method: path === '/health' ? 'GET' : 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': server.token },
        ...(path === '/health' ? {} : { body: '{}' }),
      });
      await res.text();
    }
  } finally {
    await server.stop();
  }
  const completed = lines.filter((line) => line.includes('request completed'));
  expect(completed.length).toBeGreaterThanOrEqual(2);
  expect(completed.some((line) => line.includes(`"url":"/v1.0/${server.projectId}/kms/list-keys"`))).toBe(true);
  expect(lines.filter((line) => line.includes(secret))).toEqual([]);
});
