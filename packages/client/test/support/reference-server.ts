import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The reference server's command; the client's nx test target builds the server first. */
const SERVER_BIN = resolve(__dirname, '../../../server/bin/openkms-server.js');
/** Guard against a hang only; never a timing assertion. */
const START_TIMEOUT_MS = 20_000;

export interface Tenant {
  readonly projectId: string;
  readonly domainId: string;
  readonly token: string;
}

export interface ReferenceServer {
  readonly url: string;
  /** Two tenants with their own domain, project and token, for isolation cases. */
  readonly tenants: readonly [Tenant, Tenant];
  readonly dataDir: string;
  /** The root key the server was started with, so a test can open its store with the core. */
  readonly rootKeyHex: string;
  /** Stops the process (SIGTERM); the data directory stays, so a test can read the store. */
  stop(): Promise<void>;
  /** Stops the process and removes its data directory. */
  dispose(): Promise<void>;
}

function tenant(): Tenant {
  return { projectId: randomBytes(16).toString('hex'), domainId: randomBytes(16).toString('hex'), token: `okms_${randomBytes(32).toString('base64url')}` };
}

/** Spawns `openkms-server` on a random port with a SQLite store in a fresh temp directory. */
export async function startReferenceServer(): Promise<ReferenceServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openkms-client-'));
  const tenants: [Tenant, Tenant] = [tenant(), tenant()];
  const tokenFile = join(dataDir, 'tokens.json');
  writeFileSync(
    tokenFile,
    JSON.stringify({
      tokens: tenants.map((t, index) => ({
        name: `tenant-${index}`,
        token_sha256: createHash('sha256').update(t.token).digest('hex'),
        domain_id: t.domainId,
        projects: [t.projectId],
      })),
    }),
    { mode: 0o600 },
  );
  const rootKeyHex = randomBytes(32).toString('hex');
  const child = spawn(process.execPath, [SERVER_BIN, '--port', '0', '--data-dir', dataDir, '--token-file', tokenFile], {
    cwd: dataDir,
    env: { ...withoutOpenkmsVariables(process.env), OPENKMS_ROOT_KEY: rootKeyHex },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await listeningUrl(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    url,
    tenants,
    dataDir,
    rootKeyHex,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withoutOpenkmsVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OPENKMS_')));
}

/** Reads the server's pino lines until "openkms server listening" and returns its URL. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`the reference server did not start:\n${err}`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      out += chunk;
      const line = out.split('\n').slice(0, -1).find((candidate) => candidate.includes('"openkms server listening"'));
      if (!line) return;
      settled = true;
      clearTimeout(timer);
      resolveUrl((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => fail(new Error(`the reference server exited with ${code}:\n${err}`)));
  });
}
