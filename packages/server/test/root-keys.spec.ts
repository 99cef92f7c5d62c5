/**
 * Loading the root keys (the active one and one being retired) and reloading them in a
 * running server (what SIGHUP does), including with --workers.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { RootKey } from '@openkms/core';
import {
  resolveKeyStoreConfig,
  resolveServerConfig,
  type KeyStoreConfig,
  type KeyStoreConfigInput,
  type ServerConfig,
} from '../src/config';
import { loadRootKeys } from '../src/runtime/root-keys';
import { startServer, type RunningServer } from '../src/runtime/server';
import { runOpenkms, type NodeProcess } from '../src/testing';

jest.setTimeout(60_000);

let dir: string;
let counter = 0;
const running: RunningServer[] = [];
const spawned: NodeProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openkms-root-keys-'));
});
afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
  for (const proc of spawned.splice(0)) await proc.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function newDataDir(): string {
  const dataDir = join(dir, `data-${++counter}`);
  mkdirSync(dataDir, { mode: 0o700 });
  return dataDir;
}

/** The default key files in `dataDir` (root.key; root.key.previous if it exists), unless `overrides` name others. */
function keyConfig(dataDir: string, overrides: KeyStoreConfigInput = {}): KeyStoreConfig {
  return resolveKeyStoreConfig({ dataDir, store: 'sqlite', ...overrides });
}

function writeKeyFile(path: string, mode = 0o600): RootKey {
  const hex = randomBytes(32).toString('hex');
  writeFileSync(path, `${hex}\n`, { mode });
  chmodSync(path, mode);
  return RootKey.fromEncoded(hex);
}

describe('loadRootKeys', () => {
  it('holds no previous key when the default previous file does not exist', () => {
    const dataDir = newDataDir();
    const loaded = loadRootKeys(keyConfig(dataDir), { create: 'when-safe', storeActiveRootKey: undefined });
    expect(loaded.created).toBe(true);
    expect(loaded.previousRootKeys).toEqual([]);
    expect(loaded.description).toEqual({ root_key: loaded.rootKey.checkValue(), root_key_source: join(dataDir, 'root.key') });
  });

  it('reads the default previous key file when it exists, and describes both by check value only', () => {
    const dataDir = newDataDir();
    const root = writeKeyFile(join(dataDir, 'root.key'));
    const previous = writeKeyFile(join(dataDir, 'root.key.previous'));
    const loaded = loadRootKeys(keyConfig(dataDir), { create: 'never' });
    expect(loaded.rootKey.checkValue()).toBe(root.checkValue());
    expect(loaded.previousRootKeys.map((key) => key.checkValue())).toEqual([previous.checkValue()]);
    expect(loaded.description).toMatchObject({
      previous_root_key: previous.checkValue(),
      previous_root_key_source: join(dataDir, 'root.key.previous'),
    });
    const shown = JSON.stringify(loaded.description);
    for (const file of ['root.key', 'root.key.previous']) expect(shown).not.toContain(readFileSync(join(dataDir, file), 'utf8').trim());
  });

  it('takes OPENKMS_PREVIOUS_ROOT_KEY over the file', () => {
    const dataDir = newDataDir();
    writeKeyFile(join(dataDir, 'root.key'));
    writeKeyFile(join(dataDir, 'root.key.previous'));
    const fromEnv = randomBytes(32).toString('hex');
    const loaded = loadRootKeys(keyConfig(dataDir, { previousRootKey: fromEnv }), { create: 'never' });
    expect(loaded.previousRootKeys.map((key) => key.checkValue())).toEqual([RootKey.fromEncoded(fromEnv).checkValue()]);
    expect(loaded.description.previous_root_key_source).toBe('OPENKMS_PREVIOUS_ROOT_KEY');
  });

  it.each([
    [
      'a named previous key file that does not exist',
      (dataDir: string) => keyConfig(dataDir, { previousRootKeyFile: join(dataDir, 'nope') }),
      /previous root key file .*nope does not exist/,
    ],
    [
      'a previous key file others may read',
      (dataDir: string) => (writeKeyFile(join(dataDir, 'root.key.previous'), 0o644), keyConfig(dataDir)),
      /chmod 600/,
    ],
    [
      'a previous key equal to the root key',
      (dataDir: string) => {
        writeFileSync(join(dataDir, 'root.key.previous'), readFileSync(join(dataDir, 'root.key')), { mode: 0o600 });
        return keyConfig(dataDir);
      },
      /is the root key itself/,
    ],
  ])('refuses %s', (_name, configure, message) => {
    const dataDir = newDataDir();
    writeKeyFile(join(dataDir, 'root.key'));
    expect(() => loadRootKeys(configure(dataDir), { create: 'when-safe', storeActiveRootKey: undefined })).toThrow(message);
  });

  it('creates a missing root key file for a store that has keys only to start a rotation (the previous key is the store’s)', () => {
    const dataDir = newDataDir();
    const storeKey = writeKeyFile(join(dataDir, 'root.key.previous'));
    const loaded = loadRootKeys(keyConfig(dataDir), { create: 'when-safe', storeActiveRootKey: storeKey.checkValue() });
    expect(loaded.created).toBe(true);
    expect(loaded.previousRootKeys.map((key) => key.checkValue())).toEqual([storeKey.checkValue()]);
  });

  it.each([
    ['without a previous key', false],
    ['with a previous key that is not the store’s', true],
  ])('refuses a missing root key file for a store that has keys, %s, and creates none', (_name, withPrevious) => {
    const dataDir = newDataDir();
    if (withPrevious) writeKeyFile(join(dataDir, 'root.key.previous'));
    const storeKey = RootKey.generate().checkValue();
    expect(() => loadRootKeys(keyConfig(dataDir), { create: 'when-safe', storeActiveRootKey: storeKey })).toThrow(
      new RegExp(
        `root key file .*root\\.key does not exist, but the key store's keys are wrapped under root key ${storeKey}; restore that root key file`,
      ),
    );
    expect(existsSync(join(dataDir, 'root.key'))).toBe(false);
  });

  it('creates no root key file when told not to', () => {
    const dataDir = newDataDir();
    expect(() => loadRootKeys(keyConfig(dataDir), { create: 'never' })).toThrow(/root key file .*root\.key does not exist/);
  });
});

describe('reloading root keys in a running server', () => {
  function captureLog() {
    const entries: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim() !== '') entries.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { logger: pino({ level: 'info' }, sink), entries };
  }

  function serverConfig(dataDir: string): ServerConfig {
    return resolveServerConfig({ port: 0, dataDir, store: 'sqlite', logLevel: 'info', validateResponses: true });
  }

  async function createKey(server: RunningServer, alias: string): Promise<number> {
    const token = server.developmentToken!;
    const res = await fetch(`${server.url}/v1.0/${token.projectId}/kms/create-key`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token.token },
      body: JSON.stringify({ key_alias: alias }),
    });
    return res.status;
  }

  it('keeps the keys it held when the new files do not fit the store, and takes them when they do', async () => {
    const dataDir = newDataDir();
    const log = captureLog();
    const server = await startServer(serverConfig(dataDir), log.logger);
    running.push(server);
    expect(await createKey(server, 'before')).toBe(200);
    const original = readFileSync(join(dataDir, 'root.key'));

    // A stranger root key, without the store's key beside it: refused, and the server goes on as it was.
    rmSync(join(dataDir, 'root.key'));
    writeKeyFile(join(dataDir, 'root.key'));
    await expect(server.reloadRootKeys()).resolves.toBe(false);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ msg: 'root key reload failed; keeping the root keys held before', level: 50 }),
    );
    expect(JSON.stringify(log.entries)).toMatch(/check value mismatch/);
    expect(await createKey(server, 'after-failed-reload')).toBe(200);

    // The store's key as the previous one: taken; the store's active key stays the old one until rewrap.
    writeFileSync(join(dataDir, 'root.key.previous'), original, { mode: 0o600 });
    await expect(server.reloadRootKeys()).resolves.toBe(true);
    const reloaded = log.entries.find((entry) => entry.msg === 'root keys reloaded')!;
    expect(reloaded.active_root_key).toBe(RootKey.fromEncoded(original.toString()).checkValue());
    expect(reloaded.held_root_keys).toHaveLength(2);
    expect(await createKey(server, 'after-reload')).toBe(200);
    const secrets = [original.toString().trim(), readFileSync(join(dataDir, 'root.key'), 'utf8').trim()];
    for (const secret of secrets) expect(JSON.stringify(log.entries)).not.toContain(secret);
  });

  it('passes SIGHUP from a cluster primary to every worker, creating the new root key file once', async () => {
    const dataDir = newDataDir();
    const cluster = runOpenkms(['--workers', '2', '--port', '0', '--data-dir', dataDir], { cwd: dir });
    spawned.push(cluster);
    await cluster.waitForLine((line) => line.msg === 'openkms cluster listening', 'the cluster to listen');
    // Both workers must be up (each logs its own "listening") before they can take a signal.
    const workerPids = async () => {
      for (;;) {
        const pids = new Set(
          cluster
            .stdout()
            .split('\n')
            .filter((line) => line.includes('"openkms server listening"'))
            .map((line) => (JSON.parse(line) as { pid: number }).pid),
        );
        if (pids.size >= 2) return pids;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const pids = await workerPids();
    const oldId = RootKey.fromEncoded(readFileSync(join(dataDir, 'root.key'), 'utf8')).checkValue();

    renameSync(join(dataDir, 'root.key'), join(dataDir, 'root.key.previous'));
    cluster.child.kill('SIGHUP');
    const reloadedBy = async () => {
      for (;;) {
        const lines = cluster
          .stdout()
          .split('\n')
          .filter((line) => line.includes('"root keys reloaded"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        if (lines.length >= 2) return lines;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const reloaded = await reloadedBy();
    expect(new Set(reloaded.map((line) => line.pid))).toEqual(pids);
    const newId = RootKey.fromEncoded(readFileSync(join(dataDir, 'root.key'), 'utf8')).checkValue();
    for (const line of reloaded) expect(line).toMatchObject({ root_key: newId, previous_root_key: oldId, active_root_key: oldId });
    // The primary made the file; no worker reports having created it.
    expect(reloaded.every((line) => line.created === false)).toBe(true);
  });
});
