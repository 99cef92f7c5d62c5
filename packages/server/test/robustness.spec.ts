/**
 * Property tests: whatever a client sends, the server answers without a 5xx, and every
 * failure carries the KMS error body. fast-check reports the seed and the shrunk
 * counterexample of a failure; replay it with `{ seed, path }` in fc.assert's options.
 */
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import request from 'supertest';
import { buildTestApp, CALLERS, KEY_ID_PATTERN, REGION, type TestApp } from './support';

jest.setTimeout(30_000);

const NUM_RUNS = 100;
/** Property tests send many requests; this only guards against a hang. */
const PROPERTY_TIMEOUT_MS = 120_000;
const ERROR_CODE = /^KMS\.[0-9]{4}$/;
const OPERATION_ERROR_STATUSES = [400, 403, 404, 413, 415];
const alice = CALLERS.alice;

let t: TestApp;
let server: Server;
let keyId: string;
const KEY_ALIAS = 'robust-key';

beforeAll(async () => {
  t = await buildTestApp();
  // One listening server for all requests (supertest would otherwise start one per request).
  server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const created = await t.createKey({ key_alias: KEY_ALIAS });
  expect(created.status).toBe(200);
  keyId = created.body.key_info.key_id as string;
});

afterAll(async () => {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

function url(operation: string, projectId: string = alice.projectId): string {
  return `/v1.0/${projectId}/kms/${operation}`;
}

function describeResponse(res: request.Response): string {
  return `${res.status} ${res.text?.slice(0, 300) ?? ''}`;
}

/** Asserts the KMS error body: exactly {"error":{"error_code","error_msg"}}, JSON, a well-formed code. Returns the code. */
function expectErrorShape(res: request.Response): string {
  const detail = describeResponse(res);
  expect({ contentType: res.headers['content-type'], detail }).toEqual({
    contentType: expect.stringMatching(/^application\/json/),
    detail,
  });
  const body: unknown = JSON.parse(res.text);
  expect(body !== null && typeof body === 'object' && !Array.isArray(body)).toBe(true);
  expect(Object.keys(body as object)).toEqual(['error']);
  const error = (body as { error: unknown }).error;
  expect(error !== null && typeof error === 'object' && !Array.isArray(error)).toBe(true);
  expect(Object.keys(error as object).sort()).toEqual(['error_code', 'error_msg']);
  const { error_code: code, error_msg: message } = error as { error_code: unknown; error_msg: unknown };
  expect({ code, detail }).toEqual({ code: expect.stringMatching(ERROR_CODE), detail });
  expect(typeof message).toBe('string');
  expect((message as string).length).toBeGreaterThan(0);
  return code as string;
}

/** An operation's answer: no 5xx; 2xx or the KMS error body with one of the operation statuses. */
function expectOperationAnswer(res: request.Response): string | undefined {
  expect({ serverError: res.status >= 500, detail: describeResponse(res) }).toEqual({ serverError: false, detail: describeResponse(res) });
  if (res.status >= 200 && res.status < 300) {
    expect(res.status).toBe(200);
    return undefined;
  }
  expect({ status: res.status, allowed: OPERATION_ERROR_STATUSES.includes(res.status), detail: describeResponse(res) }).toEqual({
    status: res.status,
    allowed: true,
    detail: describeResponse(res),
  });
  return expectErrorShape(res);
}

/** POSTs exactly these bytes as application/json (superagent would otherwise JSON-serialize a Buffer). */
function postJsonText(operation: string, text: string | Buffer): request.Test {
  return request(server)
    .post(url(operation))
    .set('X-Auth-Token', alice.token)
    .set('Content-Type', 'application/json')
    .serialize((raw: unknown) => raw as string)
    .send(text);
}

// ---- arbitraries -------------------------------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 3 });
/** Strings of every kind, lone surrogates included (JSON.stringify escapes them, the server gets them back). */
const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 400 }),
);
/** Anything a JSON field could hold. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(anyString, anyJson, fc.constantFrom(null, true, 0, -1, 1e308, '', ' ', [], {}));

/** The error code the spec gives each body field (`x-kms-error-code`). */
const CREATE_KEY_FIELD_CODES: Record<string, string> = {
  key_alias: 'KMS.1101',
  key_description: 'KMS.1103',
  origin: 'KMS.0308',
  enterprise_project_id: 'KMS.0308',
  sequence: 'KMS.0206',
};
const CREATE_DATAKEY_FIELD_CODES: Record<string, string> = {
  key_id: 'KMS.0205',
  datakey_length: 'KMS.1901',
  encryption_context: 'KMS.0208',
  sequence: 'KMS.0206',
};

const validAlias = fc.stringMatching(/^[a-zA-Z0-9:/_-]{1,40}$/).filter((alias) => !alias.endsWith('/default'));
const validSequence = fc.oneof(fc.uuid(), fc.stringMatching(/^[\x21-\x7E]{36}$/));
const validCreateKey = fc.record(
  {
    key_alias: validAlias,
    key_description: fc.oneof(fc.string({ maxLength: 255 }), fc.string({ unit: 'grapheme', maxLength: 100 })),
    origin: fc.constantFrom('kms', 'external'),
    enterprise_project_id: fc.oneof(fc.constant('0'), fc.uuid()),
    sequence: validSequence,
  },
  { requiredKeys: ['key_alias'] },
);
const validReference = fc.constantFrom('KEY_ID', `alias/${KEY_ALIAS}`, `kms:${REGION}:${alice.domainId}:alias:${KEY_ALIAS}`); // KEY_ID: replaced at run time
const validDatakey = fc.record(
  {
    key_id: validReference,
    datakey_length: fc.integer({ min: 1, max: 1024 }).map((n) => String(n * 8)),
    encryption_context: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 40 }), { maxKeys: 4 }),
    sequence: validSequence,
  },
  { requiredKeys: ['key_id', 'datakey_length'] },
);

/** Near misses and odd values, per field, beside `fieldValue`. */
const oddCreateKey: Record<string, fc.Arbitrary<unknown>> = {
  key_alias: fc.oneof(
    fc.stringMatching(/^[a-zA-Z0-9:/_-]{1,20}\/default$/),
    fc.constantFrom('a'.repeat(255), 'a'.repeat(256), KEY_ALIAS, 'alias with space', 'ünïcode', ''),
  ),
  key_description: fc.oneof(fc.string({ minLength: 256, maxLength: 300 }), fc.string({ unit: 'binary', minLength: 250, maxLength: 260 })),
  origin: fc.constantFrom('KMS', 'Kms', '', 'kms ', 'imported'),
  enterprise_project_id: fc.oneof(
    fc.constantFrom('00', '1', ' 0', ''),
    fc.uuid().map((id) => id.toUpperCase()),
  ),
  sequence: fc.oneof(
    fc.string({ minLength: 35, maxLength: 37 }),
    fc.string({ unit: 'binary', minLength: 36, maxLength: 36 }),
    fc.uuid().map((id) => `${id} `),
  ),
};
const oddDatakey: Record<string, fc.Arbitrary<unknown>> = {
  key_id: fc.oneof(
    fc.constantFrom(
      `kms:other-1:${alice.domainId}:alias:${KEY_ALIAS}`,
      `kms:${REGION}:${CALLERS.carol.domainId}:alias:${KEY_ALIAS}`,
      'alias/',
      KEY_ALIAS,
    ),
    fc.uuid(),
    validAlias.map((alias) => `alias/${alias}`),
  ),
  datakey_length: fc.oneof(
    fc.integer({ min: 0, max: 99999 }).map(String),
    fc.constantFrom('8200', '7', '0', '08', '512 ', '+512', '5e2', '-8', '１２８', '512.0'),
  ),
  encryption_context: fc.oneof(
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }), { minKeys: 1, maxKeys: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ minLength: 2000, maxLength: 3000 }), { minKeys: 3, maxKeys: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { minKeys: 1, maxKeys: 3 }),
  ),
  sequence: oddCreateKey.sequence!,
};

/** A valid body with exactly one field replaced by an odd or arbitrary value (or removed). */
function oneFieldOff(valid: fc.Arbitrary<Record<string, unknown>>, odd: Record<string, fc.Arbitrary<unknown>>) {
  const fields = Object.keys(odd);
  return fc
    .tuple(
      valid,
      fc.constantFrom(...fields).chain((field) => fc.tuple(fc.constant(field), fc.oneof(odd[field]!, fieldValue, fc.constant(undefined)))),
    )
    .map(([body, [field, value]]) => {
      const changed: Record<string, unknown> = { ...body };
      if (value === undefined) delete changed[field];
      else changed[field] = value;
      return { body: changed, field, value };
    });
}

/** Every field odd or arbitrary, any subset present, sometimes with unknown extra fields. */
function wild(odd: Record<string, fc.Arbitrary<unknown>>, valid: Record<string, fc.Arbitrary<unknown>>) {
  const fields = Object.fromEntries(Object.keys(odd).map((field) => [field, fc.oneof(valid[field]!, odd[field]!, fieldValue)]));
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { minKeys: 1, maxKeys: 2 }), { nil: undefined }),
    )
    .map(([body, extra]): Record<string, unknown> => (extra ? { ...extra, ...body } : body));
}

type Case =
  | { readonly kind: 'valid'; readonly body: Record<string, unknown> }
  | { readonly kind: 'one-field-off'; readonly body: Record<string, unknown>; readonly field: string; readonly value: unknown }
  | { readonly kind: 'wild'; readonly body: Record<string, unknown> };

function cases(
  valid: fc.Arbitrary<Record<string, unknown>>,
  odd: Record<string, fc.Arbitrary<unknown>>,
  validFields: Record<string, fc.Arbitrary<unknown>>,
) {
  return fc.oneof(
    valid.map((body): Case => ({ kind: 'valid', body })),
    oneFieldOff(valid, odd).map((c): Case => ({ kind: 'one-field-off', ...c })),
    wild(odd, validFields).map((body): Case => ({ kind: 'wild', body })),
  );
}

const createKeyCases = cases(validCreateKey, oddCreateKey, {
  key_alias: validAlias,
  key_description: fc.string({ maxLength: 255 }),
  origin: fc.constantFrom('kms', 'external'),
  enterprise_project_id: fc.constant('0'),
  sequence: validSequence,
});
const createDatakeyCases = cases(validDatakey, oddDatakey, {
  key_id: validReference,
  datakey_length: fc.constantFrom('8', '256', '512', '8192'),
  encryption_context: fc.constant({}),
  sequence: validSequence,
});

/**
 * What one changed field must give: missing required → KMS.0204; a non-string where the
 * spec wants a string → 400 with the field's code. (A string may happen to be valid.)
 */
function expectOneFieldOff(
  code: string | undefined,
  c: Case & { kind: 'one-field-off' },
  required: readonly string[],
  fieldCodes: Record<string, string>,
) {
  if (c.value === undefined) {
    if (required.includes(c.field)) expect({ field: c.field, code }).toEqual({ field: c.field, code: 'KMS.0204' });
  } else if (typeof c.value !== 'string' && c.field !== 'encryption_context') {
    expect({ field: c.field, value: c.value, code }).toEqual({ field: c.field, value: c.value, code: fieldCodes[c.field] });
  }
}

// ---- (a) JSON bodies ---------------------------------------------------------------------

describe('(a) JSON bodies never cause a 5xx; every failure has the KMS error shape', () => {
  it.each(['create-key', 'create-datakey'])(
    'arbitrary JSON values posted to %s',
    async (operation) => {
      await fc.assert(
        fc.asyncProperty(anyJson, async (value) => {
          const res = await postJsonText(operation, JSON.stringify(value));
          const code = expectOperationAnswer(res);
          if (value === null || typeof value !== 'object' || Array.isArray(value)) {
            // Not an object: a schema failure, never a parse failure or a success.
            expect({ status: res.status, code, detail: describeResponse(res) }).toEqual({
              status: 400,
              code: expect.stringMatching(/^KMS\.(0308|0204)$/),
              detail: describeResponse(res),
            });
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'create-key bodies with the API field names: valid, one field off, or wild',
    async () => {
      await fc.assert(
        fc.asyncProperty(createKeyCases, async (c) => {
          const res = await postJsonText('create-key', JSON.stringify(c.body));
          const code = expectOperationAnswer(res);
          if (code === undefined) {
            expect(typeof c.body.key_alias).toBe('string');
            expect(res.body.key_info.key_id).toMatch(KEY_ID_PATTERN);
            expect(res.body.key_info.domain_id).toBe(alice.domainId);
          }
          if (c.kind === 'valid') {
            // A replay while shrinking may meet its own alias again.
            expect({ code, body: c.body }).toEqual({ code: code === 'KMS.1104' ? 'KMS.1104' : undefined, body: c.body });
          } else if (c.kind === 'one-field-off') {
            expectOneFieldOff(code, c, ['key_alias'], CREATE_KEY_FIELD_CODES);
          } else if (!('key_alias' in c.body)) {
            expect(code).toBe('KMS.0204');
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'create-datakey bodies with the API field names: valid, one field off, or wild',
    async () => {
      await fc.assert(
        fc.asyncProperty(createDatakeyCases, async (c) => {
          const body: Record<string, unknown> = { ...c.body };
          if (body.key_id === 'KEY_ID') body.key_id = keyId;
          const res = await postJsonText('create-datakey', JSON.stringify(body));
          const code = expectOperationAnswer(res);
          if (code === undefined) {
            // A success is a data key of exactly the requested length under the one existing key.
            expect(res.body.key_id).toBe(keyId);
            // Without datakey_length (optional in the current revision) the data key is 256 bits.
            expect(['string', 'undefined']).toContain(typeof body.datakey_length);
            const bits = body.datakey_length === undefined ? 256 : Number(body.datakey_length);
            expect(res.body.plain_text).toMatch(new RegExp(`^[0-9A-F]{${bits / 4}}$`));
            expect(res.body.cipher_text).toMatch(/^(?:[0-9A-F]{2})+$/);
          }
          if (c.kind === 'valid') {
            expect({ code, body }).toEqual({ code: undefined, body });
          } else if (c.kind === 'one-field-off') {
            expectOneFieldOff(code, c, ['key_id'], CREATE_DATAKEY_FIELD_CODES);
          } else if (!('key_id' in body)) {
            expect(code).toBe('KMS.0204');
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---- (b) raw bytes -----------------------------------------------------------------------

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text, 'utf8')),
  // Valid JSON cut short or with a byte flipped: near misses.
  fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([json, at, byte, flip]) => {
    const bytes = Buffer.from(json, 'utf8');
    if (bytes.length === 0) return bytes;
    const index = at % bytes.length;
    if (flip) {
      bytes[index] = byte;
      return bytes;
    }
    return bytes.subarray(0, index);
  }),
);

function isValidJson(bytes: Buffer): boolean {
  // The server's reading: strict UTF-8 (a BOM is dropped), JSON syntax, no duplicate key.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  if (text.length === 0) return true; // an empty body is treated as {}
  try {
    JSON.parse(text);
  } catch {
    return false;
  }
  const tree = parseTree(text);
  return tree !== undefined && unambiguous(tree);
}

/** No object with a key twice, at any depth. */
function unambiguous(node: JsonNode): boolean {
  if (node.type === 'object') {
    const keys = (node.children ?? []).map((property) => property.children?.[0]?.value as string);
    if (new Set(keys).size !== keys.length) return false;
  }
  return (node.children ?? []).every(unambiguous);
}

describe('(b) arbitrary bytes as an application/json body', () => {
  it.each(['create-key', 'create-datakey'])(
    'never a 5xx on %s; malformed JSON is 400 KMS.0202',
    async (operation) => {
      await fc.assert(
        fc.asyncProperty(anyBytes, async (bytes) => {
          const res = await postJsonText(operation, bytes);
          const code = expectOperationAnswer(res);
          if (isValidJson(bytes)) {
            expect(code).not.toBe('KMS.0202');
          } else {
            expect({ status: res.status, code, detail: describeResponse(res) }).toEqual({
              status: 400,
              code: 'KMS.0202',
              detail: describeResponse(res),
            });
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// ---- (c) paths and methods ---------------------------------------------------------------

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;
type Method = (typeof METHODS)[number];
/** Characters a URL path keeps as they are (so the server sees exactly what we send). */
const PATH_CHARS = [..."abcxyzABCXYZ0189-._~!$&'()*+,;=:@%"];
const QUERY_CHARS = [...'abcXYZ019-._~!$&()*+,;=:@%/?'];
const segment = fc.oneof(
  fc.constantFrom(
    'v1.0',
    'v1.0',
    'kms',
    'kms',
    'create-key',
    'create-datakey',
    'health',
    alice.projectId,
    'v2.0',
    'KMS',
    'Create-Key',
    'HEALTH',
  ),
  fc.constantFrom('', '%2F', '%zz', '%', '%E0%A4%A', '%00', '%FF', 'a'.repeat(300)),
  fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 12 }),
);
const isDotSegment = (s: string) => /^(?:\.|%2e){1,2}$/i.test(s);
const path = fc
  .tuple(
    fc.array(segment, { maxLength: 6 }).filter((segments) => !segments.some(isDotSegment)),
    fc.boolean(),
    // Non-empty: the URL parser drops a bare '?'.
    fc.option(fc.string({ unit: fc.constantFrom(...QUERY_CHARS), minLength: 1, maxLength: 20 }), { nil: undefined }),
  )
  .map(([segments, trailingSlash, query]) => `/${segments.join('/')}${trailingSlash ? '/' : ''}${query === undefined ? '' : `?${query}`}`);

const OPERATION_PATH = /^\/v1\.0\/[^/]+\/kms\/create-(?:key|datakey)$/;
const HEALTH_PATH = /^\/health\/?$/i;
/** Version discovery: `GET /` and `GET /v1.0` (any spelling that decodes to it); another method there is 405. */
const isVersionPath = (pathname: string) => {
  if (pathname === '/') return true;
  try {
    return /^\/[^/]+$/.test(pathname) && decodeURIComponent(pathname.slice(1)) === 'v1.0';
  } catch {
    return false;
  }
};

describe('(c) random paths and methods', () => {
  let counter = 0;

  function loggedUrl(requestId: string): string | undefined {
    for (const chunk of t.logs) {
      for (const line of chunk.split('\n')) {
        if (!line.includes(requestId)) continue;
        const entry = JSON.parse(line) as { req?: { id?: unknown; url?: unknown } };
        if (entry.req?.id === requestId && typeof entry.req.url === 'string') return entry.req.url;
      }
    }
    return undefined;
  }

  it(
    'never a 5xx; unknown routes are 404 KMS.0201; operation paths with another method are 405 KMS.0215; version discovery answers GET',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...METHODS), path, fc.boolean(), async (method: Method, target, withToken) => {
          counter += 1;
          const requestId = `robust-path-${counter}`;
          let test = request(server)[method.toLowerCase() as 'get'](target).set('X-Request-Id', requestId);
          if (withToken) test = test.set('X-Auth-Token', alice.token);
          const res = await test;
          // The oracle below reads `target`: make sure the server saw exactly that (the log shows its path only, never the query).
          expect(loggedUrl(requestId)).toBe(target.split('?')[0]);

          const detail = `${method} ${target} -> ${describeResponse(res)}`;
          expect({ serverError: res.status >= 500, detail }).toEqual({ serverError: false, detail });
          const pathname = target.split('?')[0]!;
          const hasBody = method !== 'HEAD';
          if (HEALTH_PATH.test(pathname) && (method === 'GET' || method === 'HEAD')) {
            expect({ status: res.status, detail }).toEqual({ status: 200, detail });
            if (hasBody) expect(res.body).toEqual({ status: 'ok' });
          } else if (HEALTH_PATH.test(pathname)) {
            expect({ status: res.status, allow: res.headers.allow, detail }).toEqual({ status: 405, allow: 'GET, HEAD', detail });
            if (hasBody) expect(expectErrorShape(res)).toBe('KMS.0215');
          } else if (isVersionPath(pathname)) {
            // A query string's parameters are none the spec defines: refused as for any operation (KMS.0308);
            // one that parses to no parameter at all (`?&`) is served.
            if (method === 'GET' && target.includes('?') && res.status !== 200) {
              expect({ status: res.status, detail }).toEqual({ status: 400, detail });
              expect(expectErrorShape(res)).toBe('KMS.0308');
            } else if (method === 'GET') expect({ status: res.status, detail }).toEqual({ status: 200, detail });
            else expect({ status: res.status, allow: res.headers.allow, detail }).toEqual({ status: 405, allow: 'GET', detail });
          } else if (OPERATION_PATH.test(pathname)) {
            if (method === 'POST') {
              expect({ status: res.status, detail }).toEqual({ status: expect.any(Number), detail });
              expect(res.status).toBeGreaterThanOrEqual(400);
              expect(expectErrorShape(res)).not.toBe('KMS.0201');
            } else {
              expect({ status: res.status, allow: res.headers.allow, detail }).toEqual({ status: 405, allow: 'POST', detail });
              if (hasBody) expect(expectErrorShape(res)).toBe('KMS.0215');
            }
          } else {
            expect({ status: res.status, detail }).toEqual({ status: 404, detail });
            if (hasBody) expect(expectErrorShape(res)).toBe('KMS.0201');
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
