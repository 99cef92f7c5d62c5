import { inspect } from 'node:util';
import pino from 'pino';
import { AccessKeyService, MemoryKeyStore, RootKey, type LiveAccessKey } from '@openkms/core';
import { StoredAccessKeys, type AccessKeySource } from '../src/auth/stored-access-keys';

const DOMAIN = 'be34df18ddd7d205c328aa86e086beff';
const PROJECT = 'b32bfed7f3bfca454eb23da2148ace28';

/** A source over a map, counting store lookups; `gate` holds lookups until released. */
class CountingSource implements AccessKeySource {
  readonly keys = new Map<string, LiveAccessKey>();
  lookups = 0;
  running = 0;
  maxRunning = 0;
  gate: Promise<void> | undefined;

  async findLive(accessKeyId: string): Promise<LiveAccessKey | undefined> {
    this.lookups++;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.gate;
      return this.keys.get(accessKeyId);
    } finally {
      this.running--;
    }
  }
}

function live(accessKeyId: string): LiveAccessKey {
  return { accessKeyId, name: 'orders', secretKey: 'S'.repeat(40), domainId: DOMAIN, projects: [PROJECT] };
}

const AK = 'AKAAAAAAAAAAAAAAAAAA';

describe('StoredAccessKeys (the resolver over the store)', () => {
  let clock: number;
  let source: CountingSource;
  const resolver = (options: Partial<ConstructorParameters<typeof StoredAccessKeys>[0]> = {}) =>
    new StoredAccessKeys({ source, now: () => clock, ...options });

  beforeEach(() => {
    clock = 1_000_000;
    source = new CountingSource();
  });

  it('answers a live key with its secret, domain and projects, and reuses the answer for the cache time only', async () => {
    source.keys.set(AK, live(AK));
    const keys = resolver({ cacheMs: 2000 });
    expect(await keys.find(AK)).toEqual(live(AK));
    clock += 1999;
    expect(await keys.find(AK)).toEqual(live(AK));
    expect(source.lookups).toBe(1);
    clock += 1;
    await keys.find(AK);
    expect(source.lookups).toBe(2);
  });

  it('refuses a revoked key once the cache time has passed since the store last answered', async () => {
    source.keys.set(AK, live(AK));
    const keys = resolver({ cacheMs: 2000 });
    await keys.find(AK);
    source.keys.delete(AK); // revoked in the store, by another instance
    clock += 1000;
    expect(await keys.find(AK)).toBeDefined(); // still within the window
    clock += 1000;
    expect(await keys.find(AK)).toBeUndefined();
  });

  it('counts the cache time from before the store query, so a slow answer does not stretch it', async () => {
    source.keys.set(AK, live(AK));
    let release!: () => void;
    source.gate = new Promise((resolve) => (release = resolve));
    const keys = resolver({ cacheMs: 2000 });
    const answer = keys.find(AK);
    clock += 1500; // the query takes 1.5 s
    release();
    await answer;
    source.gate = undefined;
    clock += 500;
    await keys.find(AK);
    expect(source.lookups).toBe(2);
  });

  it('never asks the store about a malformed access key ID', async () => {
    const keys = resolver();
    for (const id of ['', 'akaaaaaaaaaaaaaaaaaa', `${AK}A`, AK.slice(1), 'AKAAAAAAAAAAAAAAAA-A', '../../etc/passwd']) {
      expect(await keys.find(id)).toBeUndefined();
    }
    expect(source.lookups).toBe(0);
  });

  it('remembers unknown IDs for the cache time, in a bounded table', async () => {
    const keys = resolver({ cacheMs: 2000, maxCachedMisses: 3 });
    const unknown = ['AK000000000000000001', 'AK000000000000000002', 'AK000000000000000003', 'AK000000000000000004'];
    for (let round = 0; round < 5; round++) expect(await keys.find(unknown[0]!)).toBeUndefined();
    expect(source.lookups).toBe(1);
    for (const id of unknown) await keys.find(id);
    expect(source.lookups).toBe(4);
    // The table holds 3: the oldest miss (unknown[0]) went first, and is looked up again.
    await keys.find(unknown[0]!);
    expect(source.lookups).toBe(5);
    await keys.find(unknown[3]!);
    expect(source.lookups).toBe(5);
  });

  it('finds a key created after its ID was missed, once the cache time has passed', async () => {
    const keys = resolver({ cacheMs: 2000 });
    expect(await keys.find(AK)).toBeUndefined();
    source.keys.set(AK, live(AK));
    clock += 2000;
    expect(await keys.find(AK)).toEqual(live(AK));
  });

  it('shares one store query among concurrent lookups of one ID, and runs few queries at once for a flood of unknown IDs', async () => {
    let release!: () => void;
    source.gate = new Promise((resolve) => (release = resolve));
    const keys = resolver({ maxConcurrentLookups: 3 });
    const same = Array.from({ length: 50 }, () => keys.find(AK));
    const flood = Array.from({ length: 200 }, (_, i) => keys.find(`AK${String(i).padStart(18, '0')}`));
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.running).toBe(3);
    release();
    await Promise.all([...same, ...flood]);
    expect(source.maxRunning).toBe(3);
    expect(source.lookups).toBe(201);
  });

  it('refuses with 503 KMS.0104 rather than queue without bound', async () => {
    let release!: () => void;
    source.gate = new Promise((resolve) => (release = resolve));
    const keys = resolver({ maxConcurrentLookups: 1, maxWaitingLookups: 2 });
    const admitted = ['AK000000000000000001', 'AK000000000000000002', 'AK000000000000000003'].map((id) => keys.find(id));
    await expect(keys.find('AK000000000000000004')).rejects.toMatchObject({ code: 'KMS.0104', httpStatus: 503 });
    release();
    await expect(Promise.all(admitted)).resolves.toEqual([undefined, undefined, undefined]);
    // The turns were all handed back: new lookups run.
    source.keys.set(AK, live(AK));
    expect(await keys.find(AK)).toEqual(live(AK));
  });

  it('does not cache a store failure', async () => {
    const failing: AccessKeySource = {
      findLive: jest.fn().mockRejectedValueOnce(new Error('database down')).mockResolvedValueOnce(live(AK)),
    };
    const keys = new StoredAccessKeys({ source: failing, now: () => clock });
    await expect(keys.find(AK)).rejects.toThrow('database down');
    expect(await keys.find(AK)).toEqual(live(AK));
  });

  it('hands out answers that callers cannot change', async () => {
    source.keys.set(AK, live(AK));
    const keys = resolver();
    const found = (await keys.find(AK))!;
    expect(() => (found.projects as string[]).push('other')).toThrow();
    expect((await keys.find(AK))!.projects).toEqual([PROJECT]);
  });

  it('never shows the SK when an answer is serialised, inspected or logged whole', async () => {
    const secretKey = 'Zx9'.repeat(13) + 'Q';
    source.keys.set(AK, { ...live(AK), secretKey });
    const found = (await resolver().find(AK))!;
    expect(found.secretKey).toBe(secretKey);
    const lines: string[] = [];
    pino({}, { write: (line: string) => lines.push(line) }).info({ credential: found, err: new Error(`for ${AK}`) }, 'resolved');
    for (const shown of [JSON.stringify(found), inspect(found), inspect({ nested: found }, { depth: 5 }), String(lines)]) {
      expect(shown).not.toContain(secretKey);
      expect(shown).toContain(AK);
    }
  });

  it('resolves keys of a real store through the core service, and not after they are revoked', async () => {
    const store = new MemoryKeyStore();
    const service = await AccessKeyService.open({ store, rootKey: RootKey.generate() });
    const created = await service.create({ name: 'app', domainId: DOMAIN, projects: [PROJECT] });
    const keys = new StoredAccessKeys({ source: service, now: () => clock, cacheMs: 2000 });
    expect(await keys.find(created.accessKeyId)).toEqual({
      accessKeyId: created.accessKeyId,
      name: 'app',
      secretKey: created.secretKey,
      domainId: DOMAIN,
      projects: [PROJECT],
    });
    await service.revoke(created.accessKeyId);
    clock += 2000;
    expect(await keys.find(created.accessKeyId)).toBeUndefined();
  });
});
