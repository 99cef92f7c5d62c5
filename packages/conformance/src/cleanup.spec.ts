import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cleanUpKeys } from './cleanup';

const caller = { projectId: 'p1', token: 't1' };
let server: Server;
let url: string;
let answer: (keyId: string) => { status: number; body: unknown };
const seen: { path: string; token: string | undefined; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as { key_id: string };
      seen.push({ path: req.url ?? '', token: req.headers['x-auth-token'] as string | undefined, body });
      const { status, body: reply } = answer(body.key_id);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
beforeEach(() => (seen.length = 0));

const keys = ['k1', 'k2', 'k3'].map((keyId) => ({ caller, keyId }));

describe('cleanUpKeys', () => {
  it('schedules the deletion of every key, 7 days, as the caller that made it', async () => {
    answer = (keyId) => ({ status: 200, body: { key_id: keyId, key_state: '4' } });
    const result = await cleanUpKeys(url, keys, 5000);
    expect(result).toMatchObject({ outcome: 'scheduled', scheduled: 3, failed: 0 });
    const path = '/v1.0/p1/kms/schedule-key-deletion';
    expect(seen).toEqual(keys.map((k) => ({ path, token: 't1', body: { key_id: k.keyId, pending_days: '7' } })));
  });

  it('reports "cleanup not supported" after the first "no such route", and sends nothing more', async () => {
    answer = () => ({ status: 404, body: { error: { error_code: 'KMS.0201', error_msg: 'no such API' } } });
    const result = await cleanUpKeys(url, keys, 5000);
    expect(result).toMatchObject({ outcome: 'not-supported', scheduled: 0 });
    expect(result.message).toMatch(/^cleanup not supported: .*3 keys stay/);
    expect(seen).toHaveLength(1);
  });

  it('reports a partial cleanup with the keys the server refused', async () => {
    const refused = { status: 403, body: { error: { error_code: 'KMS.0306', error_msg: 'no access permission' } } };
    answer = (keyId) => (keyId === 'k2' ? refused : { status: 200, body: {} });
    const result = await cleanUpKeys(url, keys, 5000);
    expect(result).toMatchObject({ outcome: 'partial', scheduled: 2, failed: 1 });
    expect(result.message).toContain('k2: 403');
  });

  it('counts a key already pending deletion (400 KMS.0210: a lifecycle check scheduled it) as cleaned up', async () => {
    const pending = { status: 400, body: { error: { error_code: 'KMS.0210', error_msg: 'pending deletion' } } };
    answer = (keyId) => (keyId === 'k2' ? pending : { status: 200, body: {} });
    expect(await cleanUpKeys(url, keys, 5000)).toMatchObject({ outcome: 'scheduled', scheduled: 3, failed: 0 });
  });

  it('has nothing to do when the run made no key', async () => {
    expect(await cleanUpKeys(url, [], 5000)).toMatchObject({ outcome: 'nothing-to-do', requests: 0 });
  });
});
