/**
 * `npm run bench`: measures the reference server's create-datakey and create-key against two
 * baselines doing the same crypto on the same machine, a steady-rate latency run, and the
 * cost of a store with a million keys. Prints a table with ratios and targets; writes JSON.
 */
import { Command, InvalidArgumentError } from 'commander';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runLoad, type LoadFigures } from './load';
import { addFillerKeys } from './populate';
import { startTarget, withPeakRss, type Target } from './processes';

interface Options {
  duration: number;
  connections: number;
  steadyRate: number;
  largeKeys: number;
  workers: number[];
  out: string;
}

interface Row extends LoadFigures {
  readonly scenario: string;
  readonly peakRssMb: number;
}

const integer = (value: string) => {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
};

const program = new Command('openkms-bench')
  .option('--duration <s>', 'seconds per measurement', integer, 10)
  .option('--connections <n>', 'concurrent connections of the load generator', integer, 32)
  .option('--steady-rate <rps>', 'request rate of the steady-load latency run', integer, 1000)
  .option('--large-keys <n>', 'keys in the store for the large-store run (0 skips it)', integer, 1_000_000)
  .option('--workers <list>', 'comma-separated worker counts for the --workers runs (empty skips them)', (value: string) => value.split(',').filter(Boolean).map(integer), [2])
  .option('--out <dir>', 'directory for the JSON results', 'bench-results');

const SERVER_BIN = join(dirname(require.resolve('@openkms/server/package.json')), 'bin/openkms-server.js');
const PROJECT = randomBytes(16).toString('hex');
const DOMAIN = randomBytes(16).toString('hex');
const TOKEN = `okms_${randomBytes(32).toString('base64url')}`;
const ROOT_KEY = randomBytes(32).toString('hex');

const datakeyBody = (keyIds: readonly string[]) => () =>
  JSON.stringify({ key_id: keyIds[Math.floor(Math.random() * keyIds.length)], datakey_length: '512', encryption_context: { bench: 'yes' } });

function startBaseline(name: string, script: string): Promise<Target> {
  return startTarget(name, [join(__dirname, script)], process.env, (line) => {
    const match = /^LISTENING (\d+)$/.exec(line.trim());
    return match ? `http://127.0.0.1:${match[1]}` : undefined;
  });
}

function startOpenkms(dataDir: string, workers = 1): Promise<Target> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENKMS_')));
  const args = [SERVER_BIN, '--port', '0', '--data-dir', dataDir, '--token-file', join(dataDir, '..', 'tokens.json'), '--max-keys-per-project', '1000000'];
  if (workers > 1) args.push('--workers', String(workers));
  // One process: its "listening" line. A cluster: the primary's, once every worker is up is not
  // announced, so the bench waits for the primary's line and measures the primary's RSS only.
  const ready = workers > 1 ? '"openkms cluster listening"' : '"openkms server listening"';
  return startTarget(`openkms x${workers}`, args, { ...env, OPENKMS_ROOT_KEY: ROOT_KEY }, (line) => {
    if (!line.includes(ready)) return undefined;
    return (JSON.parse(line) as { url: string }).url;
  });
}

async function createKeys(target: Target, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const res = await fetch(`${target.url}/v1.0/${PROJECT}/kms/create-key`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': TOKEN },
      body: JSON.stringify({ key_alias: `bench/${randomUUID()}` }),
    });
    if (res.status !== 200) throw new Error(`create-key answered ${res.status}: ${await res.text()}`);
    ids.push(((await res.json()) as { key_info: { key_id: string } }).key_info.key_id);
  }
  return ids;
}

async function measure(
  scenario: string,
  target: Target,
  options: Options,
  load: { path: string; body: () => string; overallRate?: number; auth?: boolean; connections?: number },
): Promise<Row> {
  process.stdout.write(`  ${scenario} …\n`);
  const { result, peakRss } = await withPeakRss(target, () =>
    runLoad({
      url: target.url,
      path: load.path,
      headers: load.auth === false ? {} : { 'X-Auth-Token': TOKEN },
      body: load.body,
      connections: load.connections ?? options.connections,
      durationSeconds: options.duration,
      ...(load.overallRate !== undefined && { overallRate: load.overallRate }),
    }),
  );
  return { scenario, ...result, peakRssMb: peakRss / 2 ** 20 };
}

async function main(): Promise<void> {
  const options = program.parse(process.argv).opts<Options>();
  const work = mkdtempSync(join(tmpdir(), 'openkms-bench-'));
  const rows: Row[] = [];
  const datakeyPath = `/v1.0/${PROJECT}/kms/create-datakey`;
  try {
    writeFileSync(
      join(work, 'tokens.json'),
      JSON.stringify({ tokens: [{ name: 'bench', token_sha256: createHash('sha256').update(TOKEN).digest('hex'), domain_id: DOMAIN, projects: [PROJECT] }] }),
    );
    const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
    process.stdout.write(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}\n`);
    process.stdout.write(`load: autocannon on the same machine, ${options.connections} connections, ${options.duration} s per run\n`);

    for (const [name, script] of [['baseline node:http', 'baseline-node-http.js'], ['baseline express', 'baseline-express.js']] as const) {
      const baseline = await startBaseline(name, script);
      try {
        const keyId = randomUUID();
        rows.push(await measure(`${name} create-datakey`, baseline, options, { path: datakeyPath, body: datakeyBody([keyId]), auth: false }));
      } finally {
        await baseline.stop();
      }
    }

    const dataDir = join(work, 'data');
    let server = await startOpenkms(dataDir);
    let keyIds: string[];
    try {
      keyIds = await createKeys(server, 10);
      rows.push(await measure('openkms create-datakey (10 keys)', server, options, { path: datakeyPath, body: datakeyBody(keyIds) }));
      rows.push(
        await measure('openkms create-key', server, options, {
          path: `/v1.0/${PROJECT}/kms/create-key`,
          body: () => JSON.stringify({ key_alias: `bench/${randomUUID()}` }),
        }),
      );
      // Few connections: autocannon paces each connection separately, so 32 connections at a
      // fixed total rate arrive in bursts, and the p99 measures the bursts (the plain Express
      // baseline shows p99 > 200 ms that way at 1000/s).
      rows.push(
        await measure(`openkms create-datakey at ${options.steadyRate}/s`, server, options, {
          path: datakeyPath,
          body: datakeyBody(keyIds),
          overallRate: options.steadyRate,
          connections: 8,
        }),
      );
    } finally {
      await server.stop();
    }

    for (const workers of options.workers) {
      server = await startOpenkms(dataDir, workers);
      try {
        rows.push(await measure(`openkms create-datakey, ${workers} workers`, server, options, { path: datakeyPath, body: datakeyBody(keyIds) }));
      } finally {
        await server.stop();
      }
    }

    if (options.largeKeys > 0) {
      process.stdout.write(`  adding ${options.largeKeys} keys to the store …\n`);
      addFillerKeys(join(dataDir, 'keys.sqlite'), DOMAIN, options.largeKeys);
      server = await startOpenkms(dataDir);
      try {
        rows.push(await measure(`openkms create-datakey (${options.largeKeys} keys)`, server, options, { path: datakeyPath, body: datakeyBody(keyIds) }));
      } finally {
        await server.stop();
      }
    }

    const report = { date: new Date().toISOString(), machine, options, rows, verdicts: verdicts(rows, options) };
    printTable(report.rows, report.verdicts);
    const outDir = resolve(options.out);
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nwrote ${file}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

function verdicts(rows: readonly Row[], options: Options): Verdict[] {
  const find = (prefix: string) => rows.find((row) => row.scenario.startsWith(prefix));
  const full = find('openkms create-datakey (10 keys)')!;
  const express = find('baseline express')!;
  const node = find('baseline node:http')!;
  const steady = find(`openkms create-datakey at ${options.steadyRate}/s`)!;
  const large = find(`openkms create-datakey (${options.largeKeys} keys)`);
  const list: Verdict[] = [
    { target: 'create-datakey ≥ 0.8× plain Express', measured: `${(full.requestsPerSecond / express.requestsPerSecond).toFixed(2)}×`, met: full.requestsPerSecond >= 0.8 * express.requestsPerSecond },
    { target: 'create-datakey ≥ 3000 req/s per process', measured: `${Math.round(full.requestsPerSecond)} req/s`, met: full.requestsPerSecond >= 3000 },
    { target: `p99 ≤ 10 ms at ${options.steadyRate} req/s`, measured: `${steady.latencyP99Ms} ms`, met: steady.latencyP99Ms <= 10 },
    { target: '(for reference) full stack / node:http', measured: `${(full.requestsPerSecond / node.requestsPerSecond).toFixed(2)}×`, met: true },
  ];
  if (large) {
    list.push({ target: `${options.largeKeys} keys within 10% of 10 keys`, measured: `${(large.requestsPerSecond / full.requestsPerSecond).toFixed(2)}×`, met: large.requestsPerSecond >= 0.9 * full.requestsPerSecond });
  }
  return list;
}

function printTable(rows: readonly Row[], checks: readonly Verdict[]): void {
  const line = (cells: Array<string | number>, widths: number[]) => cells.map((cell, i) => String(cell).padStart(i === 0 ? 0 : widths[i]!).padEnd(i === 0 ? widths[0]! : 0)).join('  ');
  const widths = [44, 9, 8, 8, 8, 9];
  process.stdout.write(`\n${line(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'RSS MB'], widths)}\n`);
  for (const row of rows) {
    process.stdout.write(`${line([row.scenario, Math.round(row.requestsPerSecond), row.latencyP50Ms, row.latencyP99Ms, row.latencyMaxMs, row.peakRssMb.toFixed(0)], widths)}\n`);
  }
  process.stdout.write('\n');
  for (const check of checks) process.stdout.write(`${check.met ? 'met    ' : 'NOT MET'}  ${check.target}: ${check.measured}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
