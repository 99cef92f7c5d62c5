import { CommanderError } from 'commander';
import { parseConfig } from '../src/config';
import { SERVICE_RATE_LIMITS } from '../src/http/rate-limits';

const argv = (...args: string[]) => ['node', 'openkms-server', ...args];

describe('parseConfig: hardening and scale-out settings', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('OPENKMS_')) delete process.env[name];
  });
  afterAll(() => {
    process.env = saved;
  });
  // commander prints its reason; the tests only need the exception.
  const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterAll(() => quiet.mockRestore());

  it('defaults: no rate limits, 10 s headers, 30 s request, 1024 connections, 1 worker', () => {
    expect(parseConfig(argv())).toMatchObject({ rateLimits: {}, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 1024, workers: 1 });
  });

  it('flags and environment variables set them', () => {
    expect(parseConfig(argv('--rate-limits', 'service', '--workers', '4', '--max-connections', '50'))).toMatchObject({
      rateLimits: SERVICE_RATE_LIMITS,
      workers: 4,
      maxConnections: 50,
    });
    process.env.OPENKMS_RATE_LIMITS = 'createKey=7/min';
    process.env.OPENKMS_HEADERS_TIMEOUT_MS = '2000';
    expect(parseConfig(argv())).toMatchObject({ rateLimits: { createKey: { limit: 7, windowMs: 60_000 } }, headersTimeoutMs: 2000 });
  });

  it.each([
    ['--rate-limits', 'lots'],
    ['--workers', '0'],
    ['--workers', '65'],
    ['--headers-timeout-ms', '10'],
    ['--max-connections', '0'],
  ])('rejects %s %s', (flag, value) => {
    expect(() => parseConfig(argv(flag, value))).toThrow(CommanderError);
  });
});
