/**
 * The kit as an outsider gets it: `npm pack`, installed offline into an empty project outside the
 * repository, run with `npx openkms-conformance --base-url …` and no --spec against a live server.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPORT_FILES, loadSpec } from '@openkms/conformance';
import { REGION, startReferenceServer, type ReferenceServer, kitArgs } from './support/reference-server';
import { runCli } from './support/run-cli';

const run = promisify(execFile);
const PACKAGE_ROOT = dirname(require.resolve('@openkms/conformance/package.json'));

/** Where node would find `name` from `dir`: the nearest node_modules/<name> up the tree. */
function installedDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(dir)) throw new Error(`${name} is not installed above ${from}`);
  }
}

/**
 * The kit's runtime dependencies and theirs, as the workspace installed them: packing these lets
 * npm install the kit with --offline (npm's cache holds no registry metadata for them).
 */
function runtimeDependencyDirs(): string[] {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const depDir = installedDir(name, dir);
      const { version } = JSON.parse(readFileSync(join(depDir, 'package.json'), 'utf8')) as { version: string };
      if (found.has(`${name}@${version}`)) continue;
      found.set(`${name}@${version}`, depDir);
      walk(depDir);
    }
  };
  walk(realpathSync(PACKAGE_ROOT));
  const names = [...found.keys()].map((key) => key.slice(0, key.lastIndexOf('@')));
  // One version of each, so all can sit at the top of the scratch project's node_modules.
  expect(new Set(names).size).toBe(names.length);
  return [...found.values()];
}

let scratch: string;
let app: string;
let tarballFiles: string[];
let server: ReferenceServer;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'ck-packed-'));
  const packDir = join(scratch, 'pack');
  const depsDir = join(scratch, 'deps');
  mkdirSync(packDir);
  mkdirSync(depsDir);
  await run('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: PACKAGE_ROOT });
  const [tarball] = readdirSync(packDir);
  tarballFiles = (await run('tar', ['-tzf', join(packDir, tarball!)])).stdout.trim().split('\n').sort();
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', depsDir, ...runtimeDependencyDirs()], { cwd: scratch });

  app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'kit-user', version: '1.0.0', private: true }));
  const tarballs = [join(packDir, tarball!), ...readdirSync(depsDir).map((file) => join(depsDir, file))];
  await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--silent', ...tarballs], { cwd: app });
  server = await startReferenceServer();
});

afterAll(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

it('the tarball holds the compiled kit, its command and its spec, and no sources or tests', () => {
  expect(tarballFiles).toEqual(
    expect.arrayContaining([
      'package/package.json',
      'package/README.md',
      'package/bin/openkms-conformance.js',
      'package/dist/cli.js',
      'package/dist/spec/kms.yaml',
    ]),
  );
  expect(
    tarballFiles.filter((file) => !/^package\/(package\.json|README\.md|bin\/[^/]+\.js|dist\/.+\.(js|d\.ts|js\.map|yaml))$/.test(file)),
  ).toEqual([]);
});

it('npx openkms-conformance judges a live server with the spec it ships, from an empty project', async () => {
  const args = kitArgs(server.url);
  // Two areas are enough to prove it runs and judges with its own spec; the whole kit runs in the other suites.
  const only = ['--only', 'create-datakey,auth'];
  const result = await runCli([...args, ...only, '--region', REGION, '--reporter', 'summary,json,markdown', '--out', 'out'], {
    cwd: app,
    command: ['npx', '--offline', 'openkms-conformance'],
  });
  const failures = result.stdout.split('\n').filter((line) => /^FAILED /.test(line));
  expect({ code: result.code, stderr: result.stderr, failures }).toEqual({ code: 0, stderr: '', failures: [] });
  expect(result.stdout).toMatch(/^PASS: \d+ checks, \d+ requests/m);

  const report = JSON.parse(readFileSync(join(app, 'out', REPORT_FILES.json), 'utf8')) as {
    spec: { path: string; sha256: string };
    totals: { failed: number };
  };
  // Its own copy, byte for byte the repository's spec, found without --spec.
  expect(report.spec.path).toBe(join(realpathSync(app), 'node_modules/@openkms/conformance/dist/spec/kms.yaml'));
  expect(report.spec.sha256).toBe(loadSpec().sha256);
  expect(report.totals.failed).toBe(0);
  expect(readFileSync(join(app, 'out', REPORT_FILES.markdown), 'utf8')).toMatch(/^## ✅ PASS: /);
});

it('npx openkms-conformance --version names the packed version; bad usage is one line and exit 2', async () => {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const shown = await runCli(['--version'], { cwd: app, command: ['npx', '--offline', 'openkms-conformance'] });
  expect(shown).toMatchObject({ code: 0, stdout: `${version}\n` });
  const bad = await runCli(['--base-url', server.url], { cwd: app, command: ['npx', '--offline', 'openkms-conformance'] });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('error: missing --project-id, --token (or --ak and --sk) (see openkms-conformance --help)\n');
});
