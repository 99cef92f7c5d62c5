/**
 * The credential commands as an operator runs them (`openkms-server access-key …` and
 * `openkms-server token …`, the real bin over dist/), the development credentials of a first
 * start, and rewrap over access key secrets.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ACCESS_KEY_ID_PATTERN, SECRET_KEY_PATTERN } from '@openkms/core';
import { resolveKeyStoreConfig, type KeyStoreConfigInput } from '../src/config';
import { runOpenkms, startServerProcess } from '../src/testing';
import { openAccessKeys } from '../src/testing/server-internals';
import { postKms } from './support';

jest.setTimeout(60_000);

let work: string;
let counter = 0;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-credentials-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function newDataDir(): string {
  counter += 1;
  return join(work, `data-${counter}`);
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const proc = runOpenkms(args, { cwd: work, env });
  const { code } = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** `label: value` lines as an object. */
function fields(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf(':');
        return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
      }),
  );
}

/** Every file of a directory, as bytes in one buffer (the store, its WAL, the audit log, the token file). */
function everyByte(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
}

async function storedAccessKey(input: KeyStoreConfigInput, accessKeyId: string) {
  const opened = await openAccessKeys(resolveKeyStoreConfig(input), pino({ level: 'silent' }));
  try {
    return await opened.accessKeys.findLive(accessKeyId);
  } finally {
    await opened.close();
  }
}

describe('openkms-server access-key', () => {
  it('create prints the AK and SK once; the store keeps the SK only wrapped; list never shows it; revoke ends it', async () => {
    const dataDir = newDataDir();
    const created = await cli([
      'access-key',
      'create',
      '--name',
      'orders-service',
      '--project',
      'p-orders',
      '--project',
      'p-audit',
      '--data-dir',
      dataDir,
    ]);
    expect(created.code).toBe(0);
    const shown = fields(created.stdout);
    expect(Object.keys(shown)).toEqual(['access_key_id', 'secret_key', 'name', 'domain_id', 'projects', 'created_at']);
    expect(shown.access_key_id).toMatch(ACCESS_KEY_ID_PATTERN);
    expect(shown.secret_key).toMatch(SECRET_KEY_PATTERN);
    expect(shown).toMatchObject({ name: 'orders-service', projects: 'p-orders,p-audit' });
    expect(shown.domain_id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.stderr).toMatch(/shown only this once/);
    const accessKeyId = shown.access_key_id!;
    const secretKey = shown.secret_key!;

    // What the server will find: the SK opens under the root key.
    expect(await storedAccessKey({ dataDir }, accessKeyId)).toEqual({
      accessKeyId,
      name: 'orders-service',
      secretKey,
      domainId: shown.domain_id,
      projects: ['p-orders', 'p-audit'],
    });

    const listedText = await cli(['access-key', 'list', '--data-dir', dataDir]);
    expect(listedText.code).toBe(0);
    expect(listedText.stdout.split('\n')[0]).toMatch(/^ACCESS_KEY_ID +NAME +DOMAIN_ID +PROJECTS +CREATED_AT +REVOKED_AT$/);
    expect(listedText.stdout).toContain(accessKeyId);
    const listedJson = await cli(['access-key', 'list', '--data-dir', dataDir, '--output', 'json']);
    expect(JSON.parse(listedJson.stdout)).toEqual([
      {
        access_key_id: accessKeyId,
        name: 'orders-service',
        domain_id: shown.domain_id,
        projects: ['p-orders', 'p-audit'],
        created_at: shown.created_at,
        revoked_at: null,
      },
    ]);

    const revoked = await cli(['access-key', 'revoke', accessKeyId, '--data-dir', dataDir]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${accessKeyId}\n` });
    expect(await storedAccessKey({ dataDir }, accessKeyId)).toBeUndefined();
    const after = JSON.parse((await cli(['access-key', 'list', '--data-dir', dataDir, '--output', 'json'])).stdout) as {
      revoked_at: string;
    }[];
    expect(after[0]!.revoked_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = await cli(['access-key', 'revoke', accessKeyId, '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no live access key/);

    // The audit trail names the access key; nothing on disk holds the SK in plain.
    const audit = readFileSync(join(dataDir, 'audit.log'), 'utf8');
    expect(audit).toMatch(new RegExp(`"operation":"access-key-create".*"access_key_id":"${accessKeyId}"`));
    expect(audit).toMatch(new RegExp(`"operation":"access-key-revoke".*"access_key_id":"${accessKeyId}"`));
    expect(everyByte(dataDir).includes(Buffer.from(secretKey))).toBe(false);
    for (const run of [listedText, listedJson, revoked, again]) expect(`${run.stdout}${run.stderr}`).not.toContain(secretKey);
  });

  it('prints JSON on request, and puts new keys in the domain the projects already have', async () => {
    const dataDir = newDataDir();
    const first = JSON.parse(
      (await cli(['access-key', 'create', '--name', 'a', '--project', 'p1', '--data-dir', dataDir, '--output', 'json'])).stdout,
    );
    expect(first).toEqual({
      access_key_id: expect.stringMatching(ACCESS_KEY_ID_PATTERN),
      secret_key: expect.stringMatching(SECRET_KEY_PATTERN),
      name: 'a',
      domain_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      projects: ['p1'],
      created_at: expect.any(String),
      revoked_at: null,
    });
    const second = JSON.parse(
      (await cli(['access-key', 'create', '--name', 'b', '--project', 'p1', '--data-dir', dataDir, '--output', 'json'])).stdout,
    );
    expect(second.domain_id).toBe(first.domain_id);
    expect(second.access_key_id).not.toBe(first.access_key_id);

    const otherDomain = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const third = await cli([
      'access-key',
      'create',
      '--name',
      'c',
      '--project',
      'p2',
      '--domain-id',
      otherDomain,
      '--data-dir',
      dataDir,
      '--output',
      'json',
    ]);
    expect(JSON.parse(third.stdout).domain_id).toBe(otherDomain);
    // A project whose domain is now ambiguous needs --domain-id.
    const ambiguous = await cli(['access-key', 'create', '--name', 'd', '--project', 'p3', '--data-dir', dataDir]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/give --domain-id/);
    expect(ambiguous.stdout).toBe('');
  });

  it.each([
    [['access-key']],
    [['access-key', 'rotate']],
    [['access-key', 'create', '--project', 'p1']],
    [['access-key', 'create', '--name', 'n']],
    [['access-key', 'create', '--name', 'bad name', '--project', 'p1']],
    [['access-key', 'create', '--name', 'n', '--project', 'bad/project']],
    [['access-key', 'create', '--name', 'n', '--project', 'p1', '--domain-id', 'XYZ']],
    [['access-key', 'create', '--name', 'n', '--project', 'p1', '--output', 'yaml']],
    [['access-key', 'list', '--no-such-flag']],
    [['access-key', 'revoke']],
    [['access-key', 'revoke', 'not-an-access-key']],
  ])('bad usage %j exits 2 with one line pointing to --help', async (args) => {
    const run = await cli([...args, '--data-dir', newDataDir()]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--help/);
  });

  it('--help describes each command and exits 0', async () => {
    const group = await cli(['access-key', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/create[\s\S]*list[\s\S]*revoke/);
    const create = await cli(['access-key', 'create', '--help']);
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/--project <id>/);
    expect(create.stdout).toMatch(/within 2 seconds/);
  });

  it('lists and revokes without the root key (an operator can revoke from anywhere), and never reads a secret to do so', async () => {
    const dataDir = newDataDir();
    const created = JSON.parse(
      (await cli(['access-key', 'create', '--name', 'a', '--project', 'p', '--data-dir', dataDir, '--output', 'json'])).stdout,
    ) as { access_key_id: string };
    const rootKey = readFileSync(join(dataDir, 'root.key'), 'utf8');
    rmSync(join(dataDir, 'root.key'));
    const listed = await cli(['access-key', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(created.access_key_id);
    expect((await cli(['access-key', 'revoke', created.access_key_id, '--data-dir', dataDir])).code).toBe(0);
    expect(existsSync(join(dataDir, 'root.key'))).toBe(false);
    expect(await storedAccessKey({ dataDir, rootKey: rootKey.trim() }, created.access_key_id)).toBeUndefined();
  });

  it('refuses to list or revoke where there is no store, and to create in a memory store', async () => {
    const nowhere = newDataDir();
    for (const args of [['list'], ['revoke', 'AKAAAAAAAAAAAAAAAAAA']]) {
      const run = await cli(['access-key', ...args, '--data-dir', nowhere]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/no key store at/);
    }
    expect(existsSync(nowhere)).toBe(false);
    const memory = await cli(['access-key', 'create', '--name', 'n', '--project', 'p', '--store', 'memory', '--data-dir', nowhere]);
    expect(memory.code).toBe(1);
    expect(memory.stderr).toMatch(/memory/);
  });
});

describe('openkms-server token', () => {
  it('create writes only the hash (atomically, 0600) and prints the token once; a server accepts it; revoke removes it', async () => {
    const dataDir = newDataDir();
    const created = await cli(['token', 'create', '--name', 'ci', '--project', 'p-ci', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    const shown = fields(created.stdout);
    expect(Object.keys(shown)).toEqual(['token', 'name', 'domain_id', 'projects']);
    expect(shown.token).toMatch(/^okms_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/SIGHUP/);
    const token = shown.token!;

    const tokenFile = join(dataDir, 'tokens.json');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFile, 'utf8')).not.toContain(token);
    // No temporary file left beside it.
    expect(readdirSync(dataDir).filter((name) => name.includes('tmp'))).toEqual([]);

    const second = JSON.parse(
      (await cli(['token', 'create', '--name', 'ops', '--project', 'p-ci', '--data-dir', dataDir, '--output', 'json'])).stdout,
    );
    expect(second).toMatchObject({ name: 'ops', domain_id: shown.domain_id, projects: ['p-ci'] });
    const duplicate = await cli(['token', 'create', '--name', 'ci', '--project', 'p-ci', '--data-dir', dataDir]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already has a token named ci/);

    const listed = await cli(['token', 'list', '--data-dir', dataDir, '--output', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: 'ci', domain_id: shown.domain_id, projects: ['p-ci'] },
      { name: 'ops', domain_id: shown.domain_id, projects: ['p-ci'] },
    ]);
    const listedText = await cli(['token', 'list', '--data-dir', dataDir]);
    expect(listedText.stdout).toMatch(/^NAME +DOMAIN_ID +PROJECTS\nci /);
    for (const run of [listed, listedText]) expect(run.stdout).not.toMatch(/[0-9a-f]{64}|okms_/);

    const server = await startServerProcess(['--data-dir', dataDir], { cwd: work });
    try {
      expect((await postKms(server.url, { projectId: 'p-ci', token }, 'create-key', { key_alias: 'from-cli-token' })).status).toBe(200);
      // An existing token file: no development credentials.
      expect(server.stderr()).not.toContain('X-Auth-Token');
    } finally {
      await server.stop();
    }

    const revoked = await cli(['token', 'revoke', 'ci', '--data-dir', dataDir]);
    expect(revoked).toMatchObject({ code: 0, stdout: 'revoked ci\n' });
    expect(JSON.parse((await cli(['token', 'list', '--data-dir', dataDir, '--output', 'json'])).stdout)).toEqual([
      { name: 'ops', domain_id: shown.domain_id, projects: ['p-ci'] },
    ]);
    const restarted = await startServerProcess(['--data-dir', dataDir], { cwd: work });
    try {
      const refused = await postKms(restarted.url, { projectId: 'p-ci', token }, 'create-key', { key_alias: 'after-revoke' });
      expect(refused.status).toBe(403);
    } finally {
      await restarted.stop();
    }
    expect((await cli(['token', 'revoke', 'ci', '--data-dir', dataDir])).code).toBe(1);
    expect(readFileSync(join(dataDir, 'audit.log'), 'utf8')).not.toContain(token);
  });

  it('loses no token when several commands create at once (the file is locked while it is replaced)', async () => {
    const dataDir = newDataDir();
    const names = ['t1', 't2', 't3', 't4', 't5'];
    const runs = await Promise.all(
      names.map((name) => cli(['token', 'create', '--name', name, '--project', 'p', '--domain-id', 'a'.repeat(32), '--data-dir', dataDir])),
    );
    expect(runs.map((run) => run.code)).toEqual(names.map(() => 0));
    const listed = JSON.parse((await cli(['token', 'list', '--data-dir', dataDir, '--output', 'json'])).stdout) as { name: string }[];
    expect(listed.map((entry) => entry.name).sort()).toEqual(names);
    expect(readdirSync(dataDir).filter((name) => name !== 'tokens.json' && name !== 'audit.log')).toEqual([]);
  });

  it('takes over a lock a crashed command left behind, once it is old', async () => {
    const dataDir = newDataDir();
    expect((await cli(['token', 'create', '--name', 'first', '--project', 'p', '--data-dir', dataDir])).code).toBe(0);
    const lock = join(dataDir, 'tokens.json.lock');
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect((await cli(['token', 'revoke', 'first', '--data-dir', dataDir])).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('joins the domain of the access keys already granted the project', async () => {
    const dataDir = newDataDir();
    const accessKey = JSON.parse(
      (await cli(['access-key', 'create', '--name', 'a', '--project', 'shared', '--data-dir', dataDir, '--output', 'json'])).stdout,
    );
    const token = JSON.parse(
      (await cli(['token', 'create', '--name', 't', '--project', 'shared', '--data-dir', dataDir, '--output', 'json'])).stdout,
    );
    expect(token.domain_id).toBe(accessKey.domain_id);
  });

  it.each([
    [['token']],
    [['token', 'create', '--project', 'p']],
    [['token', 'create', '--name', 'n', '--project', 'p', '--domain-id', 'nothex']],
    [['token', 'list', '--output', 'xml']],
    [['token', 'revoke']],
    [['token', 'revoke', 'bad name']],
  ])('bad usage %j exits 2 with one line pointing to --help', async (args) => {
    const run = await cli([...args, '--data-dir', newDataDir()]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--help/);
  });
});

describe('development credentials on first start', () => {
  it('include an access key pair for the token’s domain and project, shown once on stderr, never in the log, stored wrapped', async () => {
    const dataDir = newDataDir();
    const server = await startServerProcess(['--data-dir', dataDir], { cwd: work });
    let banner: Record<string, string>;
    try {
      await server.waitForStderr(/More credentials/);
      banner = fields(
        server
          .stderr()
          .split('\n')
          .filter((line) => /^ {2}[a-zA-Z_-]+: /.test(line))
          .join('\n'),
      );
      expect(banner['X-Auth-Token']).toMatch(/^okms_/);
      expect(banner.access_key).toMatch(ACCESS_KEY_ID_PATTERN);
      expect(banner.secret_key).toMatch(SECRET_KEY_PATTERN);
      expect(server.stderr()).toContain(`accessKey: '${banner.access_key}', secretKey: '${banner.secret_key}'`);
      const token = { projectId: banner.project_id!, token: banner['X-Auth-Token']! };
      expect((await postKms(server.url, token, 'create-key', { key_alias: 'dev' })).status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(server.stdout()).not.toContain(banner.secret_key);
    expect(server.stdout()).toContain(banner.access_key); // the log names the access key, not its secret
    expect(await storedAccessKey({ dataDir }, banner.access_key!)).toEqual({
      accessKeyId: banner.access_key,
      name: 'development',
      secretKey: banner.secret_key,
      domainId: banner.domain_id,
      projects: [banner.project_id],
    });
    expect(everyByte(dataDir).includes(Buffer.from(banner.secret_key!))).toBe(false);

    // A restart makes none.
    const again = await startServerProcess(['--data-dir', dataDir], { cwd: work });
    await again.stop();
    expect(again.stderr()).not.toContain('secret_key');
  });
});

describe('rewrap', () => {
  it('re-wraps access key secrets under the new root key, and the old key is then not needed', async () => {
    const dataDir = newDataDir();
    const created = JSON.parse(
      (await cli(['access-key', 'create', '--name', 'a', '--project', 'p', '--data-dir', dataDir, '--output', 'json'])).stdout,
    );
    await cli(['access-key', 'create', '--name', 'b', '--project', 'p', '--data-dir', dataDir]);
    renameSync(join(dataDir, 'root.key'), join(dataDir, 'root.key.previous'));
    const newRootKey = randomBytes(32).toString('hex');
    writeFileSync(join(dataDir, 'root.key'), `${newRootKey}\n`, { mode: 0o600 });

    const rewrap = await cli(['rewrap', '--data-dir', dataDir]);
    expect(rewrap.code).toBe(0);
    const finished = rewrap.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'rewrap finished');
    expect(finished).toMatchObject({ finished: true, accessKeysRewrapped: 2, unreadable_access_keys: [] });
    expect(rewrap.stdout).not.toContain(created.secret_key);

    rmSync(join(dataDir, 'root.key.previous'));
    expect((await storedAccessKey({ dataDir, rootKey: newRootKey }, created.access_key_id))?.secretKey).toBe(created.secret_key);
  });
});
