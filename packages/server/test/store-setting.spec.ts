/**
 * Choosing the key store: --store / OPENKMS_STORE take sqlite (the default), memory, or a
 * PostgreSQL URL, and the URL's password never reaches a log or an error message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config';
import { describeStore } from '../src/runtime/store';
import { testPostgresUrl } from '@openkms/core/testing';
import { runOpenkms } from '../src/testing';

const PASSWORD = 'hunter2-secret';

describe('--store and OPENKMS_STORE', () => {
  let env: Record<string, string>;
  let stderr: string;
  let restoreStderr: () => void;

  beforeEach(() => {
    env = {};
    stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    restoreStderr = () => spy.mockRestore();
  });

  afterEach(() => restoreStderr());

  const parse = (...args: string[]) => parseConfig(['node', 'openkms-server', ...args], env);

  it('defaults to sqlite', () => {
    expect(parse().store).toBe('sqlite');
  });

  it.each([
    ['memory'],
    ['sqlite'],
    [`postgres://openkms:${PASSWORD}@db.example:5432/keys`],
    [`postgresql://openkms:${PASSWORD}@db.example/keys?sslmode=require`],
  ])('accepts %s by flag and by environment', (value) => {
    expect(parse('--store', value).store).toBe(value);
    env.OPENKMS_STORE = value;
    expect(parse().store).toBe(value);
  });

  it('prefers the flag over the environment', () => {
    env.OPENKMS_STORE = 'memory';
    expect(parse('--store', 'postgres://db.example/keys').store).toBe('postgres://db.example/keys');
  });

  it.each([['mysql://u:PASSWORD@h/db'], ['postgress://u:PASSWORD@h/db'], ['Sqlite'], ['']])(
    'refuses %j, and the message does not repeat a password',
    (template) => {
      const value = template.replace('PASSWORD', PASSWORD);
      expect(() => parse('--store', value)).toThrow();
      expect(stderr).toContain('expected sqlite, memory, or a postgres:// or postgresql:// URL');
      expect(stderr).not.toContain(PASSWORD);
      stderr = '';
      env.OPENKMS_STORE = value;
      expect(() => parse()).toThrow();
      expect(stderr).toContain('OPENKMS_STORE');
      expect(stderr).not.toContain(PASSWORD);
    },
  );

  it('describes a PostgreSQL store for logs with the password masked', () => {
    expect(describeStore('sqlite')).toEqual({ store: 'sqlite' });
    expect(describeStore('memory')).toEqual({ store: 'memory' });
    expect(describeStore(`postgres://openkms:${PASSWORD}@db.example:5432/keys`)).toEqual({
      store: 'postgres',
      store_url: 'postgres://openkms:***@db.example:5432/keys',
    });
  });
});

describe('a server that cannot use its PostgreSQL store', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openkms-store-setting-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exits 1 with a fatal log line naming the masked URL, and never shows the password', async () => {
    const url = new URL(testPostgresUrl());
    url.password = PASSWORD; // the wrong password for the test database
    const proc = runOpenkms(['--port', '0', '--data-dir', join(work, 'data'), '--store', url.toString()], { cwd: work });
    const { code } = await proc.exited;
    const out = proc.stdout() + proc.stderr();

    expect(code).toBe(1);
    const lines = out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const opening = lines.find((line) => line.msg === 'opening the key store');
    expect(opening).toMatchObject({ store: 'postgres', store_url: expect.stringContaining(':***@') });
    const fatal = lines.find((line) => line.msg === 'openkms server failed to start');
    expect(JSON.stringify(fatal?.err)).toMatch(/password authentication failed/);
    expect(out).not.toContain(PASSWORD);
  }, 30_000);
});
