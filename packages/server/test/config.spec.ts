/**
 * The server's configuration: flags win over the environment given (never process.env read
 * behind the caller's back), which wins over DEFAULTS; the result is fully resolved.
 */
import { CommanderError } from 'commander';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buildCommand,
  ConfigError,
  DATA_DIR_FILES,
  dataDirPaths,
  DEFAULTS,
  ENVIRONMENT_VARIABLES,
  forgetRootKeys,
  parseConfig,
  resolveServerConfig,
  type ServerConfig,
} from '../src/config';
import { SERVICE_RATE_LIMITS } from '../src/http/rate-limits';

const REPO = resolve(__dirname, '../../..');
const argv = (...args: string[]) => ['node', 'openkms-server', ...args];

// commander prints its reason; the tests read it where it matters.
let stderr = '';
let quiet: jest.SpyInstance;
beforeEach(() => {
  stderr = '';
  quiet = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => quiet.mockRestore());

describe('parseConfig', () => {
  it('with no flags and no variables, every field takes its default; paths are absolute and inside the data dir', () => {
    const dataDir = resolve(DEFAULTS.dataDir);
    const expected: ServerConfig = {
      host: '127.0.0.1',
      port: 8080,
      dataDir,
      store: 'sqlite',
      rootKey: undefined,
      rootKeyFile: join(dataDir, 'root.key'),
      previousRootKey: undefined,
      previousRootKeyFile: { path: join(dataDir, 'root.key.previous'), required: false },
      tokenFile: join(dataDir, 'tokens.json'),
      pidFile: join(dataDir, 'openkms.pid'),
      region: 'local-1',
      maxKeysPerProject: 1000,
      logLevel: 'info',
      // The default follows standard output (a terminal or not; test/log-format.spec.ts checks both).
      logFormat: process.stdout.isTTY ? 'pretty' : 'json',
      metrics: false,
      validateResponses: false,
      rateLimits: {},
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 1024,
      workers: 1,
      dbConnectTimeoutMs: 5000,
      dbQueryTimeoutMs: 10_000,
      purgeIntervalMs: 60_000,
      rotationCheckIntervalMs: 60_000,
      devMinPendingDays: undefined,
    };
    expect(parseConfig(argv(), {})).toEqual(expected);
    expect(resolveServerConfig({})).toEqual(expected);
  });

  it('flags and environment variables set them', () => {
    expect(parseConfig(argv('--rate-limits', 'service', '--workers', '4', '--max-connections', '50'), {})).toMatchObject({
      rateLimits: SERVICE_RATE_LIMITS,
      workers: 4,
      maxConnections: 50,
    });
    const env = { OPENKMS_RATE_LIMITS: 'createKey=7/min', OPENKMS_HEADERS_TIMEOUT_MS: '2000', OPENKMS_VALIDATE_RESPONSES: '1' };
    expect(parseConfig(argv(), env)).toMatchObject({
      rateLimits: { createKey: { limit: 7, windowMs: 60_000 } },
      headersTimeoutMs: 2000,
      validateResponses: true,
    });
  });

  it('a flag wins over its variable, which wins over the default, for every setting that has both', () => {
    const dataDir = resolve('/srv/kms');
    type Case = [
      flag: string,
      variable: string,
      fromFlag: string,
      fromEnv: string,
      field: keyof ServerConfig,
      flagValue: unknown,
      envValue: unknown,
    ];
    const cases: Case[] = [
      ['--host', 'OPENKMS_HOST', '0.0.0.0', '::1', 'host', '0.0.0.0', '::1'],
      ['--port', 'OPENKMS_PORT', '0', '9090', 'port', 0, 9090],
      ['--data-dir', 'OPENKMS_DATA_DIR', dataDir, '/elsewhere', 'dataDir', dataDir, resolve('/elsewhere')],
      ['--store', 'OPENKMS_STORE', 'memory', 'postgres://db.example/keys', 'store', 'memory', 'postgres://db.example/keys'],
      ['--root-key-file', 'OPENKMS_ROOT_KEY_FILE', '/a/root', '/b/root', 'rootKeyFile', resolve('/a/root'), resolve('/b/root')],
      ['--token-file', 'OPENKMS_TOKEN_FILE', '/a/tokens', '/b/tokens', 'tokenFile', resolve('/a/tokens'), resolve('/b/tokens')],
      ['--pid-file', 'OPENKMS_PID_FILE', '/a/kms.pid', '/b/kms.pid', 'pidFile', resolve('/a/kms.pid'), resolve('/b/kms.pid')],
      ['--region', 'OPENKMS_REGION', 'eu-1', 'ap-2', 'region', 'eu-1', 'ap-2'],
      ['--max-keys-per-project', 'OPENKMS_MAX_KEYS_PER_PROJECT', '5', '6', 'maxKeysPerProject', 5, 6],
      ['--log-level', 'OPENKMS_LOG_LEVEL', 'warn', 'debug', 'logLevel', 'warn', 'debug'],
      ['--request-timeout-ms', 'OPENKMS_REQUEST_TIMEOUT_MS', '5000', '6000', 'requestTimeoutMs', 5000, 6000],
      ['--workers', 'OPENKMS_WORKERS', '2', '3', 'workers', 2, 3],
      ['--db-connect-timeout-ms', 'OPENKMS_DB_CONNECT_TIMEOUT_MS', '700', '800', 'dbConnectTimeoutMs', 700, 800],
      ['--db-query-timeout-ms', 'OPENKMS_DB_QUERY_TIMEOUT_MS', '900', '1100', 'dbQueryTimeoutMs', 900, 1100],
    ];
    for (const [flag, variable, fromFlag, fromEnv, field, flagValue, envValue] of cases) {
      expect(ENVIRONMENT_VARIABLES).toMatchObject({ [field]: variable });
      expect({ field, value: parseConfig(argv(flag, fromFlag), { [variable]: fromEnv })[field] }).toEqual({ field, value: flagValue });
      expect({ field, value: parseConfig(argv(), { [variable]: fromEnv })[field] }).toEqual({ field, value: envValue });
    }
  });

  it('reads only the environment it is given, not process.env', () => {
    const saved = process.env.OPENKMS_PORT;
    process.env.OPENKMS_PORT = '1234';
    try {
      expect(parseConfig(argv(), {}).port).toBe(DEFAULTS.port);
    } finally {
      if (saved === undefined) delete process.env.OPENKMS_PORT;
      else process.env.OPENKMS_PORT = saved;
    }
  });

  it('takes the root keys from the environment only, and a named previous key file becomes required', () => {
    const config = parseConfig(argv('--previous-root-key-file', '/keys/old'), { OPENKMS_ROOT_KEY: 'aa', OPENKMS_PREVIOUS_ROOT_KEY: 'bb' });
    expect(config).toMatchObject({
      rootKey: 'aa',
      previousRootKey: 'bb',
      previousRootKeyFile: { path: resolve('/keys/old'), required: true },
    });
  });

  it.each([
    ['--rate-limits', 'lots'],
    ['--workers', '0'],
    ['--workers', '65'],
    ['--headers-timeout-ms', '10'],
    ['--max-connections', '0'],
    ['--db-connect-timeout-ms', '50'],
    ['--db-query-timeout-ms', '3600001'],
    ['--log-level', 'loud'],
  ])('rejects %s %s', (flag, value) => {
    expect(() => parseConfig(argv(flag, value), {})).toThrow(CommanderError);
  });

  it('rejects a bad value from a variable, naming the variable', () => {
    expect(() => parseConfig(argv(), { OPENKMS_MAX_CONNECTIONS: 'many' })).toThrow(CommanderError);
    expect(stderr).toMatch(/--max-connections.*OPENKMS_MAX_CONNECTIONS.*expected an integer from 1 to 1000000/);
  });

  it('refuses --workers > 1 with a memory store as a usage error (exit 2)', () => {
    expect(() => resolveServerConfig({ workers: 2, store: 'memory' })).toThrow(ConfigError);
    let thrown: unknown;
    try {
      parseConfig(argv('--workers', '2', '--store', 'memory'), {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CommanderError);
    expect((thrown as CommanderError).exitCode).toBe(2);
    expect(stderr).toContain('needs a shared store');
  });

  it("refuses --max-connections below --workers: the limit is the whole instance's, shared by the workers", () => {
    expect(() => resolveServerConfig({ workers: 4, maxConnections: 3, store: 'sqlite' })).toThrow(
      /--max-connections \(3\).*--workers \(4\)/,
    );
    expect(resolveServerConfig({ workers: 4, maxConnections: 4, store: 'sqlite' }).maxConnections).toBe(4);
  });
});

describe('the environment', () => {
  it('is passed in by the executable: no server source reads process.env', () => {
    const sources = readdirSync(join(__dirname, '../src'), { recursive: true, encoding: 'utf8' })
      // testing/ is test support (it hands a child process its environment), not the server.
      .filter((file) => file.endsWith('.ts') && !file.startsWith('generated') && !file.startsWith('testing'))
      .filter((file) =>
        /process\.env\b/.test(readFileSync(join(__dirname, '../src', file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')),
      );
    expect(sources).toEqual([]);
    expect(readFileSync(join(__dirname, '../bin/openkms-server.js'), 'utf8')).toContain('main(process.argv, process.env)');
  });
});

describe('forgetRootKeys', () => {
  it('removes both root keys from the environment it is given, and nothing else', () => {
    const env: Record<string, string | undefined> = { OPENKMS_ROOT_KEY: 'a', OPENKMS_PREVIOUS_ROOT_KEY: 'b', OPENKMS_PORT: '1' };
    forgetRootKeys(env);
    expect(env).toEqual({ OPENKMS_PORT: '1' });
  });
});

describe('the data directory', () => {
  it('holds the files the README names, at these names', () => {
    expect(DATA_DIR_FILES).toEqual({
      keyStore: 'keys.sqlite',
      auditLog: 'audit.log',
      rootKey: 'root.key',
      previousRootKey: 'root.key.previous',
      tokens: 'tokens.json',
      pidFile: 'openkms.pid',
    });
    expect(dataDirPaths('/srv/kms')).toEqual({
      keyStore: join('/srv/kms', 'keys.sqlite'),
      auditLog: join('/srv/kms', 'audit.log'),
      rootKey: join('/srv/kms', 'root.key'),
      previousRootKey: join('/srv/kms', 'root.key.previous'),
      tokens: join('/srv/kms', 'tokens.json'),
      pidFile: join('/srv/kms', 'openkms.pid'),
    });
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const name of Object.values(DATA_DIR_FILES)) expect(readme).toContain(name);
  });
});

describe('--help', () => {
  const help = buildCommand().helpInformation();

  it('names every operation of the spec', () => {
    const spec = readFileSync(join(REPO, 'spec/kms.yaml'), 'utf8');
    const names = [...spec.matchAll(/^ {2}\/v1\.0\/\{project_id\}\/kms\/([a-z-]+):$/gm)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThanOrEqual(6);
    // The description, before the options, unwrapped.
    const description = help.slice(0, help.indexOf('Options:')).replace(/\s+/g, ' ');
    for (const name of names) expect(description).toContain(name);
  });

  it('agrees with the README configuration table: every flag, its variable and its default', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(--[a-z-]+)` \| `(OPENKMS_[A-Z_]+)` \| ([^|]+) \|/gm)];
    const command = buildCommand();
    const helper = command.createHelp();
    // --version is not a setting: the README tells it beside the commands, not in this table.
    const flags = command.options.map((option) => option.long).filter((flag) => flag !== '--version');
    expect(rows.map((row) => row[1])).toEqual(flags);
    for (const [, flag, variable, readmeDefault] of rows) {
      const option = command.options.find((candidate) => candidate.long === flag)!;
      const line = helper.optionDescription(option);
      expect({ flag, env: /env: ([A-Z_]+)/.exec(line)?.[1] }).toEqual({ flag, env: variable });
      const shown = /default: (.+?)(?:, env:|\)$)/.exec(line)?.[1]?.replace(/"/g, '');
      const documented = readmeDefault!.trim().replace(/`/g, '');
      // A flag without a value has no default to show; the README says "off".
      expect({ flag, default: shown ?? 'off' }).toEqual({ flag, default: documented });
    }
  });
});
