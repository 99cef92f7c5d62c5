import { DAY_MS, KmsService, MemoryKeyStore, RootKey } from '@openkms/core';
import pino from 'pino';
import { Writable } from 'node:stream';
import { startKeyPurge } from '../src/runtime/key-purge';

const SCOPE = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Resolves once pending promise callbacks (a purge run) have settled. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startKeyPurge (the server purge timer)', () => {
  afterEach(() => jest.useRealTimers());

  it('purges due keys at start and then every interval, from the service clock', async () => {
    let now = 1_760_000_000_000;
    const service = await KmsService.open({ region: 'r', store: new MemoryKeyStore(), rootKey: RootKey.generate(), now: () => now });
    const first = (await service.createKey(SCOPE, { keyAlias: 'first' })).keyId;
    const second = (await service.createKey(SCOPE, { keyAlias: 'second' })).keyId;
    await service.scheduleKeyDeletion(SCOPE, first, 7);
    await service.scheduleKeyDeletion(SCOPE, second, 8);
    now += 7 * DAY_MS;

    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { logger, lines } = capturedLogger();
    const purge = startKeyPurge(service, 60_000, logger);
    await settle();
    expect(lines.map((line) => line.purged_keys)).toEqual([[first]]);

    now += DAY_MS;
    jest.advanceTimersByTime(59_999);
    await settle();
    expect(lines).toHaveLength(1);
    jest.advanceTimersByTime(1);
    await settle();
    expect(lines.map((line) => line.purged_keys)).toEqual([[first], [second]]);
    await purge.stop();
  });

  it('logs a failed run and tries again at the next interval; stop ends the timer', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    let calls = 0;
    const service = {
      purgeDueKeys: async () => {
        calls += 1;
        if (calls === 1) throw new Error('database unavailable');
        return [];
      },
    };
    const { logger, lines } = capturedLogger();
    const purge = startKeyPurge(service, 1000, logger);
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50 });
    jest.advanceTimersByTime(1000);
    await settle();
    expect(calls).toBe(2);
    await purge.stop();
    jest.advanceTimersByTime(10_000);
    await settle();
    expect(calls).toBe(2);
  });
});
