import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { CHECKS, checksMarkdownTable } from './checks/registry';
import { readExpectationsFile } from './expectations';
import { KIT } from './kit-version';
import { REPORTERS, writeReports, type Reporter } from './report/write-reports';
import { probeTarget } from './http/probe-target';
import { runConformance } from './run-conformance';
import { Progress } from './report/progress';

function seed(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) > 0x7fffffff)
    throw new InvalidArgumentError('expected an integer from 0 to 2147483647');
  return Number(value);
}

function reporters(value: string): Reporter[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(REPORTERS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new InvalidArgumentError(`expected a comma-separated list of ${REPORTERS.join(', ')}`);
  return names as Reporter[];
}

function positive(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

export function buildCommand(): Command {
  return (
    new Command('openkms-conformance')
      .description(
        'Checks a KMS v1.0 server against the API documents, check by check: every operation of spec/kms.yaml, with a token or an access key (AK/SK).',
      )
      .version(KIT.version)
      .option('--base-url <url>', 'base URL of the server under test, e.g. http://127.0.0.1:8080')
      .option('--project-id <id>', 'project ID the token or access key may use')
      // Secrets may come from the environment, which a process listing does not show.
      .addOption(new Option('--token <token>', 'X-Auth-Token for that project (never printed)').env('OPENKMS_CONFORMANCE_TOKEN'))
      .addOption(
        new Option('--ak <id>', 'access key ID for that project: every request is signed (SDK-HMAC-SHA256)').env('OPENKMS_CONFORMANCE_AK'),
      )
      .addOption(new Option('--sk <secret>', 'secret access key of --ak (never printed or sent)').env('OPENKMS_CONFORMANCE_SK'))
      .option('--other-project-id <id>', 'a second project, for the isolation checks')
      .addOption(
        new Option('--other-token <token>', 'a token for the second project, ideally of another domain').env(
          'OPENKMS_CONFORMANCE_OTHER_TOKEN',
        ),
      )
      .addOption(new Option('--other-ak <id>', 'an access key ID for the second project').env('OPENKMS_CONFORMANCE_OTHER_AK'))
      .addOption(new Option('--other-sk <secret>', 'secret access key of --other-ak').env('OPENKMS_CONFORMANCE_OTHER_SK'))
      .addOption(
        new Option(
          '--level <level>',
          "must: only MUST checks; should: MUST and SHOULD (what the API documents require); reference: also OpenKMS's own stricter choices",
        )
          .choices(['must', 'should', 'reference'])
          .default('should'),
      )
      .addOption(
        new Option(
          '--profile <profile>',
          'all: every operation; core: create-key and create-datakey; extended: the optional operations (decrypt-/encrypt-datakey, describe-key, list-keys, update-key-alias/-description, create-datakey-without-plaintext, encrypt-/decrypt-data, gen-random, user-quotas, user-instances)',
        )
          .choices(['core', 'extended', 'all'])
          .default('all'),
      )
      .option('--only <patterns>', 'comma-separated check IDs or areas; * is a wildcard (e.g. "CK-ALIAS-*,auth")')
      .option('--reporter <list>', `comma-separated reporters: ${REPORTERS.join(', ')}`, reporters, ['summary'] as Reporter[])
      .option('--out <dir>', 'directory for the junit, json, markdown and html reports', 'conformance-report')
      .option('--seed <n>', 'seed of the robustness properties (printed in every report, for replay)', seed)
      .option('--expectations <file>', 'JSON file of known deviations: {"CK-ID": {"expect": "fail"|"skip", "reason": "…"}}')
      .option('--region <region>', 'region of the server, used in alias URNs', 'local-1')
      .option('--spec <file>', 'the OpenAPI document to judge by (default: the spec this kit was built with)')
      .option('--timeout <ms>', 'time limit of each request', positive, 10_000)
      .option('--list', 'print the checks as a Markdown table and exit')
  );
}

/**
 * Bad usage as one line (commander's "Did you mean …?" joined on), `error:` first and a pointer
 * to --help last: the same form as openkms-server's usage errors.
 */
export function usageErrorLine(text: string): string {
  const message = text.trim().replace(/\s*\n\s*/g, ' ');
  return `${message.startsWith('error:') ? message : `error: ${message}`} (see openkms-conformance --help)\n`;
}

interface CliOptions {
  baseUrl?: string;
  projectId?: string;
  token?: string;
  ak?: string;
  sk?: string;
  otherProjectId?: string;
  otherToken?: string;
  otherAk?: string;
  otherSk?: string;
  level: 'must' | 'should' | 'reference';
  profile: 'core' | 'extended' | 'all';
  only?: string;
  reporter: Reporter[];
  out: string;
  seed?: number;
  expectations?: string;
  region: string;
  spec?: string;
  timeout: number;
  list?: boolean;
}

/**
 * Runs the command and returns the exit code: 0 all MUST checks passed (or failed as expected),
 * 1 a MUST check failed, 2 bad usage or the kit could not run (always one line on stderr).
 * Progress goes to stderr only when it is a terminal, so CI logs and redirected output stay clean.
 */
export async function main(
  argv: readonly string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
  progress: boolean = process.stderr.isTTY === true,
): Promise<number> {
  const command = buildCommand();
  command.exitOverride().configureOutput({
    writeOut: out,
    writeErr: err,
    // Commander puts its suggestion ("Did you mean --only?") on a second line; keep errors to one.
    outputError: (text, write) => write(usageErrorLine(text)),
  });
  let options: CliOptions;
  try {
    command.parse([...argv], { from: 'node' });
    options = command.opts<CliOptions>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  if (options.list) {
    out(`${checksMarkdownTable()}\n`);
    return 0;
  }
  const missing = [
    ...(options.baseUrl === undefined ? ['--base-url'] : []),
    ...(options.projectId === undefined ? ['--project-id'] : []),
    // Either credential will do; the token is the one named.
    ...(options.token === undefined && options.ak === undefined && options.sk === undefined ? ['--token (or --ak and --sk)'] : []),
  ];
  if (missing.length > 0) {
    err(usageErrorLine(`missing ${missing.join(', ')}`));
    return 2;
  }
  const halfPair = [
    ['--ak', '--sk', options.ak, options.sk],
    ['--other-ak', '--other-sk', options.otherAk, options.otherSk],
  ].find(([, , ak, sk]) => (ak === undefined) !== (sk === undefined));
  if (halfPair) {
    err(`error: give ${halfPair[0]} and ${halfPair[1]} together\n`);
    return 2;
  }
  const accessKeyOf = (accessKey: string | undefined, secretKey: string | undefined) =>
    accessKey !== undefined && secretKey !== undefined ? { accessKey, secretKey } : undefined;
  try {
    const knownIds = new Set(CHECKS.map((c) => c.id));
    const expectations = options.expectations === undefined ? undefined : readExpectationsFile(options.expectations, knownIds);
    // An unreachable or non-KMS target is one clear line and exit 2, not a failure per check.
    await probeTarget(options.baseUrl!, options.projectId!, options.timeout);
    const bar = progress ? new Progress(err) : undefined;
    const report = await runConformance({
      baseUrl: options.baseUrl!,
      projectId: options.projectId!,
      token: options.token,
      accessKey: accessKeyOf(options.ak, options.sk),
      otherProjectId: options.otherProjectId,
      otherToken: options.otherToken,
      otherAccessKey: accessKeyOf(options.otherAk, options.otherSk),
      level: options.level,
      profile: options.profile,
      only: options.only,
      seed: options.seed,
      region: options.region,
      specPath: options.spec === undefined ? undefined : resolve(options.spec),
      expectations,
      requestTimeoutMs: options.timeout,
      onPlan: (plan) =>
        out(
          `plan: ${plan.checks} checks, creating at most ${plan.keys} keys (deleted afterwards where the server supports schedule-key-deletion)\n`,
        ),
      onCheckStart: bar && ((check, index, total) => bar.start(check.id, index, total)),
      onResult: bar && ((result) => bar.finish(result.outcome)),
    }).finally(() => bar?.clear());
    for (const file of writeReports(report, options.reporter, resolve(options.out), out)) out(`wrote ${file}\n`);
    return report.exitCode;
  } catch (error) {
    err(`openkms-conformance: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 2;
  }
}
