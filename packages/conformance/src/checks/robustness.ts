import fc from 'fast-check';
import type { HttpResponse } from '../http/kms-http';
import { CheckFailure, seed, SEED, type Check } from './check';
import type { CheckContext, PostOptions } from './context';

/** Requests per property: three properties of this size keep the whole kit well under a minute. */
const RUNS = 40;

/** What every response to a fuzzed request must satisfy beyond the spec validation `send` already did. */
function expectHandled(c: CheckContext, response: HttpResponse, what: string): void {
  if (response.status >= 500) throw new CheckFailure(`${what}: server error ${c.describe(response)}`);
}

/**
 * Runs a fast-check property seeded by --seed, without shrinking (each shrink step is a request
 * to a live server), and turns a failure into a report line that says how to replay it.
 */
async function runProperty<T>(
  c: CheckContext,
  checkId: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
): Promise<void> {
  const details = await fc.check(fc.asyncProperty(arbitrary, predicate), { seed: c.seed, numRuns: RUNS, endOnFailure: true });
  if (!details.failed) return;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const example = JSON.stringify(details.counterexample?.[0]);
  throw new CheckFailure(
    c.mask(
      `seed ${details.seed}, path ${details.counterexamplePath ?? '?'}: ${error}; input ${example?.slice(0, 300)}; replay with --seed ${details.seed} --only ${checkId}`,
    ),
  );
}

/** Raw request bodies: well-formed objects with wild field values, any JSON value, and arbitrary text. */
function bodies(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string> {
  const wild = fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: 'binary', maxLength: 20 }));
  const objects = fc.record(
    Object.fromEntries(
      Object.entries(fields).map(([name, arbitrary]) => [name, fc.oneof({ weight: 3, arbitrary }, { weight: 1, arbitrary: wild })]),
    ),
    { requiredKeys: [] },
  );
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(objects, fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 1 }))
        .map(([o, extra]) => JSON.stringify({ ...extra, ...o })),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('null', '', '{', '{"key_alias":}', '[', '"', '\u0000') },
  );
}

const NO_5XX = seed(`${SEED.createKeyCn}, status codes (200, 400, 403) and the error body of every non-2xx answer`);

const headerValue = fc.string({ unit: fc.constantFrom(...'abcxyzABC019 ;=/+-_.*"'), maxLength: 24 }).map((s) => s.trim());

export const robustnessChecks: readonly Check[] = [
  {
    id: 'CK-ROBUST-CREATE-KEY',
    level: 'MUST',
    area: 'robustness',
    title: 'random and malformed create-key bodies never get a 5xx, and every answer has a status the spec declares and the error body',
    authority: [NO_5XX, seed(`${SEED.createKey}, Requests`)],
    acceptedCodes: [],
    reference: 'spec: createKey responses, ErrorResponse ("Every non-2xx response carries the error body"); 001 创建密钥 error body',
    keys: RUNS,
    async run(c) {
      const prefix = c.uniqueAlias('fz');
      const alias = fc.oneof(
        fc.string({ maxLength: 12 }).map((s) => `${prefix}${s}`),
        fc.constantFrom('', 'a/default', 'x'.repeat(256)),
      );
      const arbitrary = bodies({
        key_alias: alias,
        key_description: fc.string({ maxLength: 300 }),
        origin: fc.constantFrom('kms', 'external', 'KMS', ''),
        enterprise_project_id: fc.oneof(fc.constant('0'), fc.uuid(), fc.string()),
        sequence: fc.string({ minLength: 34, maxLength: 38 }),
      });
      await runProperty(c, 'CK-ROBUST-CREATE-KEY', arbitrary, async (rawBody) => {
        expectHandled(c, await c.createKey(undefined, { rawBody }), 'create-key');
      });
    },
  },
  {
    id: 'CK-ROBUST-CREATE-DATAKEY',
    level: 'MUST',
    area: 'robustness',
    title: 'random and malformed create-datakey bodies never get a 5xx, and every answer has a status the spec declares and the error body',
    authority: [NO_5XX, seed(`${SEED.createDatakey}, Request parameters`)],
    acceptedCodes: [],
    reference: 'spec: createDatakey responses, ErrorResponse; 002 Creating a DEK',
    keys: 2,
    async run(c) {
      const key = await c.newKey('fzdk');
      const external = await c.newKey('fzext', { origin: 'external' });
      const arbitrary = bodies({
        key_id: fc.oneof(
          fc.constantFrom(key.keyId, `alias/${key.alias}`, external.keyId, `kms:${c.region}:${key.domainId}:alias:${key.alias}`),
          fc.uuid(),
          fc.string(),
        ),
        datakey_length: fc.oneof(fc.integer({ min: -16, max: 8300 }).map(String), fc.constantFrom('512', '8', '8192', '08', '1e3')),
        encryption_context: fc.dictionary(
          fc.string({ maxLength: 10 }),
          fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
          { maxKeys: 3 },
        ),
        sequence: fc.string({ minLength: 34, maxLength: 38 }),
      });
      await runProperty(c, 'CK-ROBUST-CREATE-DATAKEY', arbitrary, async (rawBody) => {
        expectHandled(c, await c.createDatakey(undefined, { rawBody }), 'create-datakey');
      });
    },
  },
  {
    id: 'CK-ROBUST-HEADERS',
    level: 'MUST',
    area: 'robustness',
    title:
      'random methods, content types, tokens and extra headers never get a 5xx, and every answer has a status the spec declares and the error body',
    authority: [NO_5XX, seed(`${SEED.createDatakey}, Request header parameters (X-Auth-Token, Content-Type)`)],
    acceptedCodes: [],
    reference: 'spec: securitySchemes.AuthToken, requestBody content, info (check order), ErrorResponse',
    keys: 1,
    async run(c) {
      const key = await c.newKey('fzh');
      const body = JSON.stringify({ key_id: key.keyId, datakey_length: '256' });
      const arbitrary = fc.record({
        method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
        contentType: fc.oneof(
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'application/json; charset=latin1',
            'text/plain',
            'application/merge-patch+json',
            '*/*',
            null,
          ),
          headerValue,
        ),
        // undefined: the caller's own credential (its token, or its access key signature).
        token: fc.oneof(fc.constantFrom<string | null | undefined>(undefined, '', null), headerValue),
        extra: fc.dictionary(fc.stringMatching(/^x-ck-[a-z]{1,8}$/), headerValue, { maxKeys: 3 }),
        rawBody: fc.oneof(fc.constant(body), fc.string({ maxLength: 30 })),
      });
      await runProperty(c, 'CK-ROBUST-HEADERS', arbitrary, async (r) => {
        const options: PostOptions = { method: r.method, contentType: r.contentType, token: r.token, headers: r.extra };
        // GET and friends with a body are legal HTTP but fetch refuses a GET body; send those without one.
        const send = r.method === 'GET' ? { ...options } : { ...options, rawBody: r.rawBody };
        expectHandled(c, await c.createDatakey(undefined, send), `${r.method} create-datakey`);
      });
    },
  },
];
