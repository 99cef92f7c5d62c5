import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRequestSigner, type AccessKeyCredentials } from '@openkms/client';
import { authorityText, CheckFailure, NotImplemented, type Check, type LevelOption, type Profile } from './checks/check';
import { CheckContext, CreatedKeys, type Caller } from './checks/context';
import { cleanUpKeys } from './cleanup';
import { CHECKS, selectChecks } from './checks/registry';
import type { Expectations } from './expectations';
import { KIT } from './kit-version';
import { countOutcomes, type CheckResult, type ConformanceReport, type Outcome } from './report/report';
import { DEFAULT_SPEC_PATH, loadSpec } from './spec/load-spec';
import { ResponseValidator } from './spec/response-validator';
import { SpecFacts } from './spec/spec-facts';
import { withExchanges } from './http/exchange-log';

export interface ConformanceOptions {
  readonly baseUrl: string;
  readonly projectId: string;
  /** The X-Auth-Token for the project. A token, an access key, or both are needed. */
  readonly token?: string;
  /**
   * An access key for the project: every request is then signed with it (SDK-HMAC-SHA256, by
   * `@openkms/client`'s signer), except those of the checks about X-Auth-Token, which need the token.
   */
  readonly accessKey?: AccessKeyCredentials;
  /** The second project and a token or access key for it: enables the isolation checks (skipped without). */
  readonly otherProjectId?: string;
  readonly otherToken?: string;
  readonly otherAccessKey?: AccessKeyCredentials;
  /**
   * `must`: only MUST checks; `should` (default): MUST and SHOULD, what the documents require;
   * `reference`: also the REFERENCE checks, OpenKMS's own choices, which then fail the run too.
   */
  readonly level?: LevelOption;
  /**
   * `all` (default): every operation; `core`: the two operations of the source documents;
   * `extended`: the optional operations of the current API reference (NOT IMPLEMENTED when absent).
   */
  readonly profile?: Profile;
  /** After the run, schedule the deletion of every key it created (default true; where the server supports it). */
  readonly cleanup?: boolean;
  /** Comma-separated check IDs or areas, `*` wildcard. */
  readonly only?: string;
  /** Seed of the robustness properties; random (and reported) when absent. */
  readonly seed?: number;
  /** Region of the server, for alias URNs (default local-1, the reference server's). */
  readonly region?: string;
  readonly specPath?: string;
  readonly expectations?: Expectations;
  readonly requestTimeoutMs?: number;
  /** The checks to choose from (default: all); lets tests and embedders run their own subset. */
  readonly checks?: readonly Check[];
  /** Called before each check with its 0-based position among the selected checks, for progress output. */
  readonly onCheckStart?: (check: Check, index: number, total: number) => void;
  /** Called after each check, for progress output. */
  readonly onResult?: (result: CheckResult) => void;
  /** Called once before the first request: how many checks run and at most how many keys they create. */
  readonly onPlan?: (plan: { readonly checks: number; readonly keys: number }) => void;
}

/** Runs the selected checks one after another against `baseUrl` and returns the report (writes nothing). */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  if (options.token === undefined && options.accessKey === undefined) throw new Error('give --token, or --ak and --sk, or both');
  const otherCredentials = options.otherToken !== undefined || options.otherAccessKey !== undefined;
  if ((options.otherProjectId === undefined) === otherCredentials) {
    throw new Error('give --other-project-id with --other-token or --other-ak and --other-sk, or none of them');
  }
  const spec = loadSpec(options.specPath ?? DEFAULT_SPEC_PATH);
  const level = options.level ?? 'should';
  const seed = options.seed ?? randomBytes(4).readUInt32BE(0) >>> 1;
  const region = options.region ?? 'local-1';
  const callerOf = (projectId: string, token: string | undefined, accessKey: AccessKeyCredentials | undefined): Caller => ({
    projectId,
    ...(token !== undefined ? { token } : {}),
    ...(accessKey !== undefined ? { signer: createRequestSigner(accessKey) } : {}),
  });
  const primary = callerOf(options.projectId, options.token, options.accessKey);
  const other =
    options.otherProjectId !== undefined ? callerOf(options.otherProjectId, options.otherToken, options.otherAccessKey) : undefined;
  const validators = { lenient: new ResponseValidator(spec, { strict: false }), strict: new ResponseValidator(spec, { strict: true }) };
  const facts = new SpecFacts(spec.document);
  const runTag = randomBytes(3).toString('hex');

  const profile = options.profile ?? 'all';
  const selected = selectChecks(options.checks ?? CHECKS, options.only, level, profile);
  // A typo in --only must not turn into a green run of nothing.
  if (selected.length === 0) throw new Error(`no check matches --only ${options.only ?? ''} at level ${level} in profile ${profile}`);
  const plannedKeys = selected.reduce((sum, check) => sum + check.keys, 0);
  options.onPlan?.({ checks: selected.length, keys: plannedKeys });
  const createdKeys = new CreatedKeys();

  const startedAt = new Date();
  const started = performance.now();
  const results: CheckResult[] = [];
  let requests = 0;
  for (const [index, check] of selected.entries()) {
    options.onCheckStart?.(check, index, selected.length);
    const context = new CheckContext({
      baseUrl: options.baseUrl,
      primary,
      other,
      region,
      seed,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      validator: check.level === 'REFERENCE' ? validators.strict : validators.lenient,
      strict: check.level === 'REFERENCE',
      createdKeys,
      facts,
      runTag,
    });
    const result = withExchanges(await runOne(check, context, options.expectations?.get(check.id)), context.exchanges);
    requests += result.requests;
    results.push(result);
    options.onResult?.(result);
  }

  const cleanup =
    options.cleanup === false
      ? { outcome: 'disabled' as const, scheduled: 0, failed: 0, message: 'cleanup turned off' }
      : await cleanUpKeys(options.baseUrl, createdKeys.entries(), options.requestTimeoutMs ?? 10_000);
  requests += cleanup.requests ?? 0;

  // REFERENCE failures count only when asked for: they are our choices, not the documents'.
  const fatal = (r: CheckResult) => r.outcome === 'failed' && (r.level === 'MUST' || (r.level === 'REFERENCE' && level === 'reference'));
  const exitCode = results.some(fatal) ? 1 : 0;
  return {
    kit: { name: KIT.name, version: KIT.version },
    spec: { path: spec.path, sha256: spec.sha256, title: spec.document.info.title, version: spec.document.info.version },
    target: { baseUrl: options.baseUrl, projectId: options.projectId, otherProjectId: options.otherProjectId ?? null, token: '***' },
    options: { level, profile, only: options.only ?? null, seed, region },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    requests,
    totals: countOutcomes(results),
    results,
    keys: {
      planned: plannedKeys,
      created: createdKeys.count,
      cleanup: { outcome: cleanup.outcome, scheduled: cleanup.scheduled, failed: cleanup.failed, message: cleanup.message },
    },
    exitCode,
  };
}

async function runOne(
  check: Check,
  context: CheckContext,
  expectation: { expect: 'fail' | 'skip'; reason: string } | undefined,
): Promise<CheckResult> {
  const base = {
    id: check.id,
    level: check.level,
    area: check.area,
    title: check.title,
    reference: check.reference,
    authority: authorityText(check.authority),
    acceptedCodes: check.acceptedCodes,
    ...(expectation ? { expectation } : {}),
  };
  const none = { durationMs: 0, requests: 0, keysCreated: 0 };
  if (expectation?.expect === 'skip') {
    return {
      ...base,
      outcome: 'skipped',
      message: `skipped by the expectations file${expectation.reason ? `: ${expectation.reason}` : ''}`,
      ...none,
    };
  }
  if (check.needsOtherProject && !context.other) {
    return { ...base, outcome: 'skipped', message: 'needs --other-project-id and --other-token (or --other-ak and --other-sk)', ...none };
  }
  if (check.needsToken && (context.primary.token === undefined || (check.needsOtherProject && context.other?.token === undefined))) {
    const which = check.needsOtherProject ? '--token and --other-token' : '--token';
    const message = `about X-Auth-Token itself: needs ${which} (this run signs with access keys)`;
    return { ...base, outcome: 'skipped', message, ...none };
  }
  const started = performance.now();
  let failure: string | undefined;
  let notImplemented: string | undefined;
  try {
    await check.run(context);
  } catch (error) {
    if (error instanceof NotImplemented) notImplemented = context.mask(error.message);
    // A CheckFailure is the server's fault; anything else is reported as a failure too, marked as unexpected.
    else
      failure = context.mask(
        error instanceof CheckFailure ? error.message : `unexpected error in the check: ${(error as Error)?.stack ?? String(error)}`,
      );
  }
  const measured = { durationMs: Math.round(performance.now() - started), requests: context.requestCount, keysCreated: context.keyCount };
  if (notImplemented !== undefined) {
    return { ...base, outcome: 'not-implemented', message: `operation not implemented: ${notImplemented}`, ...measured };
  }
  let outcome: Outcome = failure === undefined ? 'passed' : 'failed';
  if (expectation?.expect === 'fail') outcome = failure === undefined ? 'unexpectedly-passed' : 'expected-failure';
  return { ...base, outcome, ...(failure !== undefined ? { message: failure } : {}), ...measured };
}
