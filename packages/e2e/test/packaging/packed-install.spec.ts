/**
 * The packages as a user outside the repository gets them: `npm pack` of the server, its core,
 * the client and the conformance kit, installed OFFLINE from those tarballs and npm's cache into
 * an empty directory (better-sqlite3 compiled there, against the local Node headers), then the
 * installed `openkms-server` started, a data key round-tripped with the installed client, and the
 * installed kit run against it. No Java, nx, sources or repository spec take part.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { offlineProject, type PackedPackage } from './offline-lockfile';

const run = promisify(execFile);
const REPOSITORY_ROOT = resolve(__dirname, '../../../..');
/** A guard against a hung install or server only; never a timing assertion. */
const INSTALL_LIMIT_MS = 540_000;
const WAIT_MS = 60_000;

const PACKAGES = [
  { name: '@openkms/server', workspace: 'packages/server' },
  { name: '@openkms/core', workspace: 'packages/core' },
  { name: '@openkms/client', workspace: 'packages/client' },
  { name: '@openkms/conformance', workspace: 'packages/conformance' },
] as const;

let scratch: string;
let app: string;
let packed: PackedPackage[];
const tarballFiles = new Map<string, string[]>();
let server: ChildProcess | undefined;
let serverExit: Promise<number | null> | undefined;
let serverOutput = { stdout: '', stderr: '' };

/** `npm ci --offline` in the scratch project, its whole log in the error if it fails. */
async function installOffline(): Promise<void> {
  const env = {
    ...process.env,
    // No download attempt for a prebuilt better-sqlite3 (the registry is the only network): build it from source.
    npm_config_build_from_source: 'true',
  };
  try {
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=info'], {
      cwd: app,
      env,
      timeout: INSTALL_LIMIT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `npm ci --offline failed: ${message}\n--- install stdout ---\n${stdout ?? ''}\n--- install stderr ---\n${stderr ?? ''}`,
    );
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'openkms-packed-install-'));
  const packDir = join(scratch, 'pack');
  mkdirSync(packDir);
  packed = [];
  for (const pkg of PACKAGES) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: join(REPOSITORY_ROOT, pkg.workspace) });
    const [result] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarballFiles.set(pkg.name, result!.files.map((file) => file.path).sort());
    packed.push({ ...pkg, tarball: join(packDir, result!.filename) });
  }

  app = join(scratch, 'app');
  mkdirSync(app);
  const { manifest, lockfile } = offlineProject(join(REPOSITORY_ROOT, 'package-lock.json'), app, packed);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);
  await installOffline();
}, INSTALL_LIMIT_MS + 120_000);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  await serverExit;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Resolves with the first match of `pattern` in the server's output, or rejects (with the output) after WAIT_MS. */
function waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((found, fail) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const match = pattern.exec(serverOutput[stream]);
      if (match || Date.now() - started > WAIT_MS || server?.exitCode !== null) {
        clearInterval(poll);
        if (match) found(match);
        else fail(new Error(`no ${pattern} on the server's ${stream}\nstdout:\n${serverOutput.stdout}\nstderr:\n${serverOutput.stderr}`));
      }
    }, 50);
  });
}

describe('the tarballs', () => {
  it('hold compiled code, the spec and the commands, and no sources, tests or generator input', () => {
    const unexpected = [...tarballFiles].flatMap(([name, files]) =>
      files
        .filter(
          (file) => /(^|\/)(src|test)\//.test(file) || /\.spec\.(js|ts)$/.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts')),
        )
        .map((file) => `${name}: ${file}`),
    );
    expect(unexpected).toEqual([]);
    expect(tarballFiles.get('@openkms/server')).toEqual(
      expect.arrayContaining([
        'package.json',
        'bin/openkms-server.js',
        'dist/cli.js',
        'dist/spec/kms.yaml',
        'dist/generated/index.js',
        'testing/package.json',
      ]),
    );
    expect(tarballFiles.get('@openkms/core')).toEqual(expect.arrayContaining(['package.json', 'dist/index.js']));
    expect(tarballFiles.get('@openkms/client')).toEqual(
      expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts']),
    );
    expect(tarballFiles.get('@openkms/conformance')).toEqual(
      expect.arrayContaining(['package.json', 'bin/openkms-conformance.js', 'dist/cli.js', 'dist/spec/kms.yaml']),
    );
  });

  it('install offline with every runtime dependency, better-sqlite3 built, and neither nx nor the generator', () => {
    const installed = (path: string) => existsSync(join(app, 'node_modules', path));
    for (const name of ['express', 'express-openapi-validator', 'pino', 'pg', 'commander', 'yaml', 'ajv'])
      expect({ name, installed: installed(name) }).toEqual({ name, installed: true });
    expect(installed('better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    for (const name of ['nx', '@openapitools/openapi-generator-cli', 'typescript', 'jest'])
      expect({ name, installed: installed(name) }).toEqual({ name, installed: false });
    const spec = readFileSync(join(REPOSITORY_ROOT, 'spec/kms.yaml'));
    // Both carry the repository's spec byte for byte.
    expect(readFileSync(join(app, 'node_modules/@openkms/server/dist/spec/kms.yaml')).equals(spec)).toBe(true);
    expect(readFileSync(join(app, 'node_modules/@openkms/conformance/dist/spec/kms.yaml')).equals(spec)).toBe(true);
  });
});

describe('the installed commands', () => {
  const version = (name: string) =>
    (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version;

  it.each([
    ['openkms-server', 'server'],
    ['openkms-conformance', 'conformance'],
  ])('%s --version prints its package version; an unknown flag is one line and exit 2', async (bin, workspace) => {
    const command = join(app, 'node_modules/.bin', bin);
    await expect(run(command, ['--version'], { cwd: app })).resolves.toMatchObject({ stdout: `${version(workspace)}\n`, stderr: '' });
    const bad = await run(command, ['--no-such-flag'], { cwd: app }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect({ code: bad?.code, stderr: bad?.stderr }).toEqual({
      code: 2,
      stderr: `error: unknown option '--no-such-flag' (see ${bin} --help)\n`,
    });
  });

  it('openkms-server starts from the install, the installed client round-trips a data key, and the installed kit passes against it', async () => {
    const dataDir = join(scratch, 'data');
    server = spawn(join(app, 'node_modules/.bin/openkms-server'), ['--port', '0', '--data-dir', dataDir], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serverOutput = { stdout: '', stderr: '' };
    server.stdout!.on('data', (chunk: Buffer) => (serverOutput.stdout += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverOutput.stderr += chunk.toString()));
    serverExit = new Promise((exited) => server!.once('exit', (code) => exited(code)));

    const [, url] = await waitFor(
      'stdout',
      /"msg":"openkms server listening"[^\n]*"url":"(http:\/\/127\.0\.0\.1:\d+)"|"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"openkms server listening"/,
    ).then((match) => [match[0], match[1] ?? match[2]]);
    const token = (await waitFor('stderr', /^ {2}X-Auth-Token: (okms_[A-Za-z0-9_-]+)$/m))[1]!;
    const projectId = (await waitFor('stderr', /^ {2}project_id: +([0-9a-f]{32})$/m))[1]!;
    expect((await fetch(`${url}/health`)).status).toBe(200);

    writeFileSync(
      join(app, 'round-trip.cjs'),
      [
        "const { createKmsClient } = require('@openkms/client');",
        'const kms = createKmsClient({ endpoint: process.env.KMS_ENDPOINT, projectId: process.env.KMS_PROJECT_ID, token: process.env.KMS_TOKEN });',
        '(async () => {',
        "  const { key_info } = await kms.createKey({ key_alias: 'packed-install' });",
        "  const made = await kms.createDatakey({ key_id: key_info.key_id, datakey_length: '256' });",
        "  const opened = await kms.decryptDatakey({ key_id: key_info.key_id, cipher_text: made.cipher_text, datakey_cipher_length: '32' });",
        '  console.log(JSON.stringify({ bytes: made.plain_text.length / 2, same: opened.data_key === made.plain_text }));',
        '})().catch((error) => { console.error(error); process.exitCode = 1; });',
      ].join('\n'),
    );
    const roundTrip = await run(process.execPath, ['round-trip.cjs'], {
      cwd: app,
      env: { ...process.env, KMS_ENDPOINT: url, KMS_PROJECT_ID: projectId, KMS_TOKEN: token },
    });
    expect(JSON.parse(roundTrip.stdout)).toEqual({ bytes: 32, same: true });

    // A short profile: it proves the installed kit runs and judges with its own spec; the whole kit runs in the other suites.
    const kit = await run(
      join(app, 'node_modules/.bin/openkms-conformance'),
      ['--base-url', url!, '--project-id', projectId, '--only', 'create-datakey', '--reporter', 'summary'],
      { cwd: app, env: { ...process.env, OPENKMS_CONFORMANCE_TOKEN: token } },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect({ stderr: kit.stderr, failed: kit.stdout.split('\n').filter((line) => line.startsWith('FAILED')) }).toEqual({
      stderr: '',
      failed: [],
    });
    expect(kit.stdout).toMatch(/^PASS: \d+ checks/m);
    // The server's log never carried the token.
    expect(serverOutput.stdout).not.toContain(token);

    server.kill('SIGTERM');
    expect(await serverExit).toBe(0);
  });
});

// The scratch project sits outside the repository, so nothing there can have come from it.
test('the scratch project is outside the repository', () => {
  expect(dirname(app).startsWith(REPOSITORY_ROOT)).toBe(false);
});
