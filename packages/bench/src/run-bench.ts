/**
 * `npm run bench`: measures the reference server's create-datakey, create-key, encrypt-data of
 * 4 KB and decrypt-data against two baselines doing the same crypto on the same machine, a
 * steady-rate latency run, the cost of
 * a wide spec and of a store with a million keys, and create-datakey signed with an access key
 * against the same with a token. Prints a table, the CPU profile of
 * create-datakey and the issue 14 targets; writes JSON; exits 2 when a target is missed.
 */
import { Command, InvalidArgumentError } from 'commander';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { accessKeyRows, createBenchAccessKey, inTurn, presignedRequests, type BenchAccessKey } from './access-key-scenario';
import { dataRows, sealOverHttp, type DataScenarioNames, type MeasureLoad } from './data-scenario';
import { analyseProfile, formatBreakdown, perRequestReport } from './cpu-profile';
import { runLoad, warmUp, type BodyWithHeaders } from './load';
import { startOpenkms, type OpenkmsSetup } from './openkms-server';
import { addFillerKeys } from './populate';
import { startTarget, withPeakRss, type Target } from './processes';
import { notRun, PLANNED, SCENARIO, type MeasuredRow, type Row } from './scenarios';
import { profileDuring } from './server-profile';
import { formatTable, formatVerdicts } from './table';
import { EXIT_TARGET_MISSED, exitCodeFor, judge } from './targets';
import { startSixSpec, startWideSpec } from './wide-spec-hook';
import { wideSpecRows } from './wide-spec-scenario';

interface Options {
  duration: number;
  connections: number;
  steadyRate: number;
  largeKeys: number;
  workers: number[];
  profile: boolean;
  profileTop: number;
  out: string;
}

const integer = (value: string) => {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
};
const positive = (value: string) => {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
};

// "0" skips the runs: an empty argument does not survive nx's forwarding of `npm run bench -- …`.
const workerCounts = (value: string) => (value === '0' ? [] : value.split(',').filter(Boolean).map(positive));

const program = new Command('openkms-bench')
  .option('--duration <s>', 'seconds per measurement', positive, 10)
  .option('--connections <n>', 'concurrent connections of the load generator', positive, 32)
  .option('--steady-rate <rps>', 'request rate of the steady-load latency run', positive, 1000)
  .option('--large-keys <n>', 'keys in the store for the large-store run (0 skips it)', integer, 1_000_000)
  .option('--workers <list>', 'comma-separated worker counts for the cluster runs (0 skips them)', workerCounts, [2])
  .option('--no-profile', 'skip the CPU profile of create-datakey')
  .option('--profile-top <n>', 'frames shown in the CPU profile breakdown', positive, 10)
  .option('--out <dir>', 'directory for the JSON results and the .cpuprofile', 'bench-results')
  .addHelpText('after', `\nExit status: 0 when no target was missed, ${EXIT_TARGET_MISSED} when one was, 1 when the run failed.`);

const PROJECT = randomBytes(16).toString('hex');
const DOMAIN = randomBytes(16).toString('hex');
const TOKEN = `okms_${randomBytes(32).toString('base64url')}`;

const datakeyBody = (keyIds: readonly string[]) => () =>
  JSON.stringify({
    key_id: keyIds[Math.floor(Math.random() * keyIds.length)],
    datakey_length: '512',
    encryption_context: { bench: 'yes' },
  });

function startBaseline(name: string, script: string): Promise<Target> {
  return startTarget(name, [join(__dirname, script)], process.env, (line) => {
    const match = /^LISTENING (\d+)$/.exec(line.trim());
    return match ? `http://127.0.0.1:${match[1]}` : undefined;
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

interface LoadSpec {
  readonly path: string;
  readonly body: () => string;
  readonly overallRate?: number;
  readonly auth?: boolean;
  readonly connections?: number;
  /** Instead of body(): the next request with headers of its own (an access key signature). */
  readonly nextRequest?: () => BodyWithHeaders;
}

/** Requests signed ahead per AK/SK run (see presignedRequests); each is sent several times in a run. */
const PRESIGNED_REQUESTS = 2000;

/** Sequential requests before each measurement: see warmUp. */
const WARM_UP_REQUESTS = 20;

async function loadOn(target: Target, options: Options, load: LoadSpec, warmUpRequests = WARM_UP_REQUESTS) {
  const headers: Record<string, string> = load.auth === false ? {} : { 'X-Auth-Token': TOKEN };
  const request = {
    url: target.url,
    path: load.path,
    headers,
    body: load.body,
    ...(load.nextRequest && { nextRequest: load.nextRequest }),
  };
  await warmUp(request, warmUpRequests);
  return runLoad({
    ...request,
    connections: load.connections ?? options.connections,
    durationSeconds: options.duration,
    ...(load.overallRate !== undefined && { overallRate: load.overallRate }),
  });
}

async function measure(scenario: string, target: Target, options: Options, load: LoadSpec): Promise<MeasuredRow> {
  process.stdout.write(`  ${scenario} …\n`);
  const { result, peakRss } = await withPeakRss(target, () => loadOn(target, options, load));
  return { scenario, status: 'measured', ...result, peakRssMb: peakRss / 2 ** 20 };
}

/** Loads the server as the create-datakey row does, with the profiler on; its figures are not a row. */
async function profileDatakey(server: Target, profileFile: string, options: Options, load: LoadSpec) {
  process.stdout.write(`  CPU profile of ${SCENARIO.datakey} (profiler on; not a table row) …\n`);
  // No warm-up inside the profile (the server is warm by now): every profiled request is counted.
  const { result, profile } = await profileDuring(server.pid, profileFile, () => loadOn(server, options, load, 0));
  return { requests: result.requests, summary: analyseProfile(profile) };
}

async function main(): Promise<void> {
  const options = program.parse(process.argv).opts<Options>();
  const work = mkdtempSync(join(tmpdir(), 'openkms-bench-'));
  const rows: Row[] = [];
  const datakeyPath = `/v1.0/${PROJECT}/kms/create-datakey`;
  const setup: OpenkmsSetup = {
    dataDir: join(work, 'data'),
    tokenFile: join(work, 'tokens.json'),
    rootKeyHex: randomBytes(32).toString('hex'),
  };
  const profileFile = join(work, 'create-datakey.cpuprofile');
  try {
    const tokenSha256 = createHash('sha256').update(TOKEN).digest('hex');
    const tokens = [{ name: 'bench', token_sha256: tokenSha256, domain_id: DOMAIN, projects: [PROJECT] }];
    writeFileSync(setup.tokenFile, JSON.stringify({ tokens }), { mode: 0o600 });
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    };
    process.stdout.write(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}\n`);
    process.stdout.write(`load: autocannon on the same machine, ${options.connections} connections, ${options.duration} s per run\n`);

    const projectPath = `/v1.0/${PROJECT}/kms`;
    const measureLoad =
      (auth: boolean): MeasureLoad =>
      (scenario, target, load) =>
        measure(scenario, target, options, { ...load, auth });
    const baselines: ReadonlyArray<readonly [string, string, DataScenarioNames]> = [
      ['baseline node:http', 'baseline-node-http.js', { encrypt: SCENARIO.nodeHttpEncryptData4k, decrypt: SCENARIO.nodeHttpDecryptData4k }],
      ['baseline express', 'baseline-express.js', { encrypt: SCENARIO.expressEncryptData4k, decrypt: SCENARIO.expressDecryptData4k }],
    ];
    for (const [name, script, dataNames] of baselines) {
      const baseline = await startBaseline(name, script);
      try {
        const keyId = randomUUID();
        const load = { path: datakeyPath, body: datakeyBody([keyId]), auth: false };
        rows.push(await measure(`${name} create-datakey`, baseline, options, load));
        rows.push(...(await dataRows(dataNames, baseline, projectPath, [keyId], measureLoad(false), sealOverHttp({}))));
      } finally {
        await baseline.stop();
      }
    }

    let server = await startOpenkms(setup);
    let keyIds: string[];
    try {
      keyIds = await createKeys(server, 10);
      rows.push(await measure(SCENARIO.datakey, server, options, { path: datakeyPath, body: datakeyBody(keyIds) }));
      const dataNames = { encrypt: SCENARIO.encryptData4k, decrypt: SCENARIO.decryptData4k };
      rows.push(...(await dataRows(dataNames, server, projectPath, keyIds, measureLoad(true), sealOverHttp({ 'X-Auth-Token': TOKEN }))));
    } finally {
      await server.stop();
    }

    // AK/SK: an access key made by the server's own command on this store, then the same
    // create-datakey requests with a token and signed with the key, in turns on one server.
    const accessKey = await createBenchAccessKey(setup, PROJECT, DOMAIN).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
    server = await startOpenkms(setup);
    try {
      const measureWith = async (scenario: string, target: Target, seconds: number, credential: 'token' | 'access key') => {
        const load: LoadSpec =
          credential === 'token'
            ? { path: datakeyPath, body: datakeyBody(keyIds) }
            : {
                path: datakeyPath,
                body: datakeyBody(keyIds),
                auth: false,
                nextRequest: inTurn(
                  await presignedRequests(
                    target.url,
                    datakeyPath,
                    datakeyBody(keyIds),
                    accessKey as BenchAccessKey,
                    PROJECT,
                    PRESIGNED_REQUESTS,
                  ),
                ),
              };
        return measure(scenario, target, { ...options, duration: seconds }, load);
      };
      rows.push(...(await accessKeyRows(server, options.duration, accessKey, measureWith)));
    } finally {
      await server.stop();
    }

    // The 6- and 30-operation servers on the same store, measured in turns: they differ in the spec only.
    const sameLoad = { path: datakeyPath, body: datakeyBody(keyIds) };
    const measureFor = (scenario: string, target: Target, seconds: number) =>
      measure(scenario, target, { ...options, duration: seconds }, sameLoad);
    rows.push(...(await wideSpecRows(startWideSpec, startSixSpec, setup, options.duration, measureFor)));

    server = await startOpenkms(setup, options.profile ? { profileFile } : {});
    let profile: Awaited<ReturnType<typeof profileDatakey>> | undefined;
    try {
      rows.push(
        await measure(SCENARIO.createKey, server, options, {
          path: `/v1.0/${PROJECT}/kms/create-key`,
          body: () => JSON.stringify({ key_alias: `bench/${randomUUID()}` }),
        }),
      );
      // Few connections: autocannon paces each connection separately, so 32 connections at a
      // fixed total rate arrive in bursts, and the p99 measures the bursts (the plain Express
      // baseline shows p99 > 200 ms that way at 1000/s).
      rows.push(
        await measure(SCENARIO.steady(options.steadyRate), server, options, {
          path: datakeyPath,
          body: datakeyBody(keyIds),
          overallRate: options.steadyRate,
          connections: 8,
        }),
      );
      if (options.profile) profile = await profileDatakey(server, profileFile, options, sameLoad);
    } finally {
      await server.stop();
    }

    for (const workers of options.workers) {
      server = await startOpenkms(setup, { workers });
      try {
        rows.push(await measure(SCENARIO.workers(workers), server, options, { path: datakeyPath, body: datakeyBody(keyIds) }));
      } finally {
        await server.stop();
      }
    }

    if (options.largeKeys > 0) {
      process.stdout.write(`  adding ${options.largeKeys} keys to the store …\n`);
      addFillerKeys(join(setup.dataDir, 'keys.sqlite'), DOMAIN, options.largeKeys);
      server = await startOpenkms(setup);
      try {
        rows.push(await measure(SCENARIO.largeStore(options.largeKeys), server, options, { path: datakeyPath, body: datakeyBody(keyIds) }));
      } finally {
        await server.stop();
      }
    }
    for (const planned of PLANNED) rows.push(notRun(planned.scenario, planned.reason));

    const verdicts = judge(rows, options);
    const date = new Date().toISOString();
    const outDir = resolve(options.out);
    const stem = join(outDir, `bench-${date.replace(/[:.]/g, '-')}`);
    mkdirSync(outDir, { recursive: true });

    process.stdout.write(`\n${formatTable(rows).join('\n')}\n`);
    let profileReport;
    if (profile) {
      const root = process.cwd();
      process.stdout.write(`\n${formatBreakdown(profile.summary, profile.requests, options.profileTop, root).join('\n')}\n`);
      copyFileSync(profileFile, `${stem}.cpuprofile`);
      profileReport = { file: `${stem}.cpuprofile`, ...perRequestReport(profile.summary, profile.requests, options.profileTop, root) };
    }
    process.stdout.write(`\n${formatVerdicts(verdicts).join('\n')}\n`);

    const report = { date, machine, options, rows, verdicts, profile: profileReport };
    writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nwrote ${stem}.json${profileReport ? ` and ${profileReport.file}` : ''}\n`);
    process.exitCode = exitCodeFor(verdicts);
    if (process.exitCode !== 0) process.stdout.write(`a target was NOT MET: exit ${process.exitCode}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
