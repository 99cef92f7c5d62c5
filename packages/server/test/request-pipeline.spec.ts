/**
 * The HTTP pipeline's own rules: one route table (a request is routed once, and an app with
 * many more operations answers the same), and the spec's sensitive fields redacted from logs.
 */
import { createRequire } from 'node:module';
import { kmsApi, type AppApi, type OperationHandler } from '../src/http/app';
import { sensitiveLogPaths } from '../src/http/request-log';
import { operations } from '../src/generated';
import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

/** The path-to-regexp module express-openapi-validator compiles its routes with, per request. */
const pathToRegexpModule: { pathToRegexp: (...args: unknown[]) => unknown } = createRequire(require.resolve('express-openapi-validator'))(
  'path-to-regexp',
);

/** `api` plus `extra` copies of describe-key at their own paths, listed before the spec's own. */
function widen(api: AppApi, extra: number): AppApi {
  const template = api.operations.find((operation) => operation.operationId === 'describeKey')!;
  const pathItem = api.document.paths[template.path]!;
  const copies = Array.from({ length: extra }, (_, index) => ({
    definition: { ...template, operationId: `copy${index}`, path: `/v1.0/{project_id}/kms/copy-${index}` },
    pathItem: { ...pathItem, post: { ...(pathItem['post'] as object), operationId: `copy${index}` } },
  }));
  return {
    document: {
      ...api.document,
      paths: { ...Object.fromEntries(copies.map((c) => [c.definition.path, c.pathItem])), ...api.document.paths },
    },
    operations: [...copies.map((c) => c.definition), ...api.operations],
    handlers: { ...api.handlers, ...Object.fromEntries(copies.map((c) => [c.definition.operationId, api.handlers['describeKey']!])) },
  };
}

describe('one route table', () => {
  let narrow: TestApp;
  let wide: TestApp;
  beforeAll(async () => {
    narrow = await buildTestApp();
    wide = await buildTestApp({ api: (service) => widen(kmsApi(service), 24) });
  });

  /** How many routes express-openapi-validator compiled while `send` ran. */
  async function routeCompilations(send: () => PromiseLike<unknown>): Promise<number> {
    const spy = jest.spyOn(pathToRegexpModule, 'pathToRegexp');
    try {
      await send();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  it('the validator looks up one route per request, with 6 operations or 30', async () => {
    for (const t of [narrow, wide]) {
      const keyId = (await t.createKey({ key_alias: 'routed-once' }).expect(200)).body.key_info.key_id as string;
      // Warm: the operation's validator is made on its first request.
      await t.createDatakey({ key_id: keyId, datakey_length: '512' }).expect(200);
      expect(await routeCompilations(() => t.createDatakey({ key_id: keyId, datakey_length: '512' }).expect(200))).toBe(1);
      expect(await routeCompilations(() => t.describeKey({ key_id: keyId }).expect(200))).toBe(1);
    }
    // Each operation's validator is made on its first request; the machine may be busy.
  }, 60_000);

  it('a 30-operation app answers like the 6-operation one, and serves its extra operations', async () => {
    const cases: Array<[string, unknown]> = [
      ['create-datakey', { key_id: 'alias/none', datakey_length: '512' }],
      ['create-datakey', { key_id: 'alias/none', datakey_length: '7' }],
      ['describe-key', {}],
      ['no-such-operation', {}],
    ];
    for (const [path, body] of cases) {
      const [a, b] = [await narrow.post(path).send(body as object), await wide.post(path).send(body as object)];
      expect({ status: b.status, body: b.body }).toEqual({ status: a.status, body: a.body });
    }
    const keyId = (await wide.createKey({ key_alias: 'copied' }).expect(200)).body.key_info.key_id as string;
    const copy = await wide.post('copy-17').send({ key_id: keyId }).expect(200);
    expect(copy.body.key_info.key_id).toBe(keyId);
    expectKmsError(await narrow.post('copy-17').send({ key_id: keyId }), 404, 'KMS.0201');
  });
});

describe('sensitive fields', () => {
  it('the redaction paths are the spec’s x-sensitive fields, request and response', () => {
    const paths = sensitiveLogPaths(operations);
    for (const field of ['plain_text', 'data_key']) expect(paths).toEqual(expect.arrayContaining([field, `*.${field}`]));
    expect(paths).not.toContain('key_id');
  });

  it('are redacted from whatever a handler logs through the app’s logger', async () => {
    const secret = 'A1B2C3D4E5F6'.repeat(4);
    const t = await buildTestApp({
      api: (service) => {
        const api = kmsApi(service);
        const describe = api.handlers['describeKey']!;
        const logging: OperationHandler = (input, context) => {
          context.log.info({ plain_text: secret, detail: { data_key: secret, key_alias: 'shown' } }, 'probe');
          return describe(input, context);
        };
        return { ...api, handlers: { ...api.handlers, describeKey: logging } };
      },
    });
    const keyId = (await t.createKey({ key_alias: 'redact' }).expect(200)).body.key_info.key_id as string;
    await t.describeKey({ key_id: keyId }, CALLERS.alice).expect(200);
    const probe = t.logs.flatMap((chunk) => chunk.split('\n')).find((line) => line.includes('"probe"'));
    expect(probe).toBeDefined();
    expect(JSON.parse(probe!)).toMatchObject({ plain_text: '[redacted]', detail: { data_key: '[redacted]', key_alias: 'shown' } });
    expect(t.logs.join('')).not.toContain(secret);
  });
});
