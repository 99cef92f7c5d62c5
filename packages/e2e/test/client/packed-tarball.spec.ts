/**
 * What a consumer gets: `npm pack` of this package, installed into an empty project, used
 * from ESM, CommonJS and TypeScript against a live reference server.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer } from '@openkms/server/testing';

jest.setTimeout(180_000);

const run = promisify(execFile);
/** The client package's directory, which `npm pack` packs. */
const PACKAGE_ROOT = dirname(require.resolve('@openkms/client/package.json'));
const TSC = require.resolve('typescript/bin/tsc');

const startReferenceServer = () => startTestServer({ store: 'sqlite', tenants: [{}, {}] });

let server: Awaited<ReturnType<typeof startReferenceServer>>;
let scratch: string;
let tarballFiles: string[];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'openkms-consumer-'));
  const packDir = join(scratch, 'pack');
  mkdirSync(packDir);
  await run('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: PACKAGE_ROOT });
  const [tarball] = readdirSync(packDir);
  const { stdout } = await run('tar', ['-tzf', join(packDir, tarball!)]);
  tarballFiles = stdout.trim().split('\n').sort();

  const project = join(scratch, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  // The client has no runtime dependencies, so this needs no registry.
  await run('npm', ['install', join(packDir, tarball!), '--no-audit', '--no-fund', '--offline', '--silent'], { cwd: project });
  server = await startReferenceServer();
});

afterAll(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function consumerEnv(): NodeJS.ProcessEnv {
  const [tenant] = server.tenants;
  return {
    ...process.env,
    KMS_ENDPOINT: server.url,
    KMS_PROJECT_ID: tenant.projectId,
    KMS_TOKEN: tenant.token,
    ALIAS: `consumer/${randomUUID()}`,
  };
}

it('the tarball holds only what a consumer needs: compiled code, types, README, package.json', () => {
  expect(tarballFiles).toEqual(
    expect.arrayContaining([
      'package/package.json',
      'package/README.md',
      'package/dist/index.js',
      'package/dist/index.mjs',
      'package/dist/index.d.ts',
      'package/dist/index.d.mts',
    ]),
  );
  const unexpected = tarballFiles.filter((file) => !/^package\/(package\.json|README\.md|dist\/.+\.(js|mjs|d\.ts|d\.mts))$/.test(file));
  expect(unexpected).toEqual([]);
});

it('five lines of ESM create a key and a 512-bit data key', async () => {
  const app = join(scratch, 'app');
  writeFileSync(
    join(app, 'quickstart.mjs'),
    [
      "import { createKmsClient } from '@openkms/client';",
      'const kms = createKmsClient({ endpoint: process.env.KMS_ENDPOINT, projectId: process.env.KMS_PROJECT_ID, token: process.env.KMS_TOKEN });',
      'const { key_info } = await kms.createKey({ key_alias: process.env.ALIAS });',
      "const dataKey = await kms.createDatakey({ key_id: key_info.key_id, datakey_length: '512' });",
      'console.log(JSON.stringify({ key_id: key_info.key_id, data_key_id: dataKey.key_id, bytes: dataKey.plain_text.length / 2 }));',
    ].join('\n'),
  );
  const { stdout } = await run(process.execPath, ['quickstart.mjs'], { cwd: app, env: consumerEnv() });
  const result = JSON.parse(stdout) as { key_id: string; data_key_id: string; bytes: number };
  expect(result.bytes).toBe(64);
  expect(result.data_key_id).toBe(result.key_id);
});

it('CommonJS works too, and errors are KmsError instances with the code', async () => {
  const app = join(scratch, 'app');
  writeFileSync(
    join(app, 'errors.cjs'),
    [
      "const { createKmsClient, KmsError } = require('@openkms/client');",
      'const kms = createKmsClient({ endpoint: process.env.KMS_ENDPOINT, projectId: process.env.KMS_PROJECT_ID, token: process.env.KMS_TOKEN });',
      "kms.createKey({ key_alias: 'reserved/default' }).catch((e) => console.log(JSON.stringify({ isKmsError: e instanceof KmsError, status: e.status, code: e.errorCode })));",
    ].join('\n'),
  );
  const { stdout } = await run(process.execPath, ['errors.cjs'], { cwd: app, env: consumerEnv() });
  expect(JSON.parse(stdout)).toEqual({ isKmsError: true, status: 400, code: 'KMS.1101' });
});

it('the types resolve for a TypeScript consumer (module node16), and misuse fails to compile', async () => {
  const app = join(scratch, 'app');
  const tsconfig = {
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: [],
    },
    files: ['use.mts'],
  };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
  const good = [
    "import { createKmsClient, KmsError, type CreateDatakeyResponse } from '@openkms/client';",
    "const kms = createKmsClient({ endpoint: 'http://127.0.0.1:8080', projectId: 'p', token: 't' });",
    "export const made: Promise<CreateDatakeyResponse> = kms.createDatakey({ key_id: 'alias/a', datakey_length: '512', encryption_context: { app: 'x' } });",
    "export const ext = kms.createKey({ key_alias: 'a', origin: 'external' });",
    'export const code = (e: unknown) => (e instanceof KmsError ? e.errorCode : undefined);',
  ];
  writeFileSync(join(app, 'use.mts'), good.join('\n'));
  await expect(run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app })).resolves.toBeDefined();

  writeFileSync(join(app, 'use.mts'), [...good, "export const bad = kms.createDatakey({ key_id: 'a', datakey_length: 512 });"].join('\n'));
  const failure = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app }).then(
    () => undefined,
    (error: { stdout: string }) => error.stdout,
  );
  expect(failure).toMatch(/use\.mts\(6,.*error TS2322/);
});
