import { answer, ensure, expectRejected } from './assertions';
import { errorTable, openkms, seed, SEED, type Check } from './check';
import { DOCUMENTED } from './documented-answers';
import { KMS_CODES } from '../spec/spec-facts';

const MALFORMED = ['{"key_alias": ', '{key_alias: "x"}', '{"key_alias":"x",}', "{'key_alias':'x'}", '{"a":1}}'];
const ORDER = 'spec/kms.yaml info: "Requests are checked in this order: route and method, token, content type, size, JSON syntax, schema"';

export const errorChecks: readonly Check[] = [
  {
    id: 'CK-ERR-MALFORMED-JSON',
    level: 'MUST',
    area: 'errors',
    title: 'a body with a JSON syntax error is 400 KMS.0202 on both operations',
    authority: [errorTable('400 KMS.0202 the request body is not valid JSON'), seed(`${SEED.createKeyCn}, status codes (400)`)],
    acceptedCodes: DOCUMENTED.malformedJson,
    reference: 'spec: BadRequest "KMS.0202 malformed JSON"; docs/errors.md KMS.0202',
    keys: 0,
    async run(c) {
      for (const operation of ['createKey', 'createDatakey'] as const) {
        for (const rawBody of MALFORMED) {
          const response = await c.post(operation, undefined, { rawBody });
          expectRejected(
            c,
            response,
            DOCUMENTED.malformedJson,
            answer(400, KMS_CODES.malformedJson),
            `${operation} body ${JSON.stringify(rawBody)}`,
          );
        }
      }
    },
  },
  {
    id: 'CK-ERR-CONTENT-TYPE',
    level: 'MUST',
    area: 'errors',
    title: 'a body not sent as application/json is refused (415 or 400, with a KMS error)',
    authority: [seed(`${SEED.createDatakey}, Request header parameters: Content-Type (Mandatory, application/json)`)],
    acceptedCodes: DOCUMENTED.contentType,
    reference: 'spec: requestBody content application/json, UnsupportedMediaType (KMS.0308)',
    keys: 0,
    async run(c) {
      const rawBody = JSON.stringify({ key_alias: c.uniqueAlias('ct') });
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', null]) {
        const response = await c.createKey(undefined, { rawBody, contentType });
        expectRejected(
          c,
          response,
          DOCUMENTED.contentType,
          answer(415, KMS_CODES.invalidParameter),
          `Content-Type ${contentType ?? '(none)'}`,
        );
      }
    },
    referenceTwin: { id: 'CK-REF-ERR-CONTENT-TYPE', acceptedCodes: ['415 KMS.0308'] },
  },
  {
    id: 'CK-ERR-UNKNOWN-ROUTE',
    level: 'MUST',
    area: 'errors',
    title: 'a path under /v1.0/{project_id}/kms/ that is no operation is KMS.0201 with the error body',
    authority: [errorTable('KMS.0201 invalid request URL'), seed(`${SEED.createKey}, Examples (the error body)`)],
    acceptedCodes: DOCUMENTED.noSuchApi,
    reference: 'spec: paths, info "route and method (404 KMS.0201)"; KMS docs: errors',
    keys: 0,
    async run(c) {
      const strict = answer(404, KMS_CODES.noSuchApi);
      for (const action of ['no-such-operation', 'create-keys', '']) {
        expectRejected(c, await c.createKey({ key_alias: 'x' }, { action }), DOCUMENTED.noSuchApi, strict, `POST .../kms/${action}`);
      }
      // Outside the API's path the documents promise nothing; OpenKMS answers the same.
      if (c.strict)
        expectRejected(
          c,
          await c.send({ method: 'GET', path: '/v2.0/nothing/here', headers: {} }, undefined),
          [strict],
          strict,
          'GET /v2.0/nothing/here',
        );
    },
    referenceTwin: { id: 'CK-REF-ERR-UNKNOWN-ROUTE', acceptedCodes: ['404 KMS.0201'] },
  },
  {
    id: 'CK-ERR-WRONG-METHOD',
    level: 'MUST',
    area: 'errors',
    title: 'a method other than POST on an operation path is 405 KMS.0215',
    authority: [errorTable('405 KMS.0215 method not supported'), seed(`${SEED.createKey}, URI format (POST)`)],
    acceptedCodes: DOCUMENTED.methodNotAllowed,
    reference: 'spec: MethodNotAllowed (KMS.0215), info "route and method (405 KMS.0215)"',
    keys: 0,
    async run(c) {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        for (const operation of ['createKey', 'createDatakey'] as const) {
          const body = method === 'GET' ? undefined : {};
          const response = await c.post(operation, body, { method });
          expectRejected(c, response, DOCUMENTED.methodNotAllowed, answer(405, KMS_CODES.methodNotAllowed), `${method} ${operation}`);
        }
      }
    },
  },
  {
    id: 'CK-ERR-BODY-TOO-LARGE',
    level: 'SHOULD',
    area: 'errors',
    title: 'a 1 MiB body is refused (KMS.0203 request message too long, or the description rule)',
    authority: [
      errorTable('KMS.0203 request message too long'),
      seed(`${SEED.createKey}, Request parameters: key_description (0 to 255 characters)`),
    ],
    acceptedCodes: DOCUMENTED.bodyTooLarge,
    reference: 'spec: PayloadTooLarge (KMS.0203); KMS docs: errors "request message too long"',
    keys: 0,
    async run(c) {
      const rawBody = JSON.stringify({ key_alias: c.uniqueAlias('big'), key_description: 'x'.repeat(1024 * 1024) });
      expectRejected(
        c,
        await c.createKey(undefined, { rawBody }),
        DOCUMENTED.bodyTooLarge,
        answer(413, KMS_CODES.bodyTooLarge),
        '1 MiB body',
      );
    },
    referenceTwin: { id: 'CK-REF-ERR-BODY-TOO-LARGE', acceptedCodes: ['413 KMS.0203'] },
  },
  {
    id: 'CK-ERR-REQUEST-ID',
    level: 'REFERENCE',
    area: 'errors',
    title: 'responses carry an X-Request-Id header, on success and on error',
    authority: [openkms('spec/kms.yaml headers X-Request-Id on every declared response (the documents name no response header)')],
    acceptedCodes: [],
    reference: 'spec: headers X-Request-Id on every declared response',
    keys: 1,
    async run(c) {
      const ok = await c.createKey({ key_alias: c.uniqueAlias('rid') });
      const error = await c.createKey({ key_alias: '' });
      ensure(Boolean(ok.headers.get('x-request-id')), `200 response has no X-Request-Id header`);
      ensure(Boolean(error.headers.get('x-request-id')), `${error.status} response has no X-Request-Id header`);
    },
  },
  {
    id: 'CK-ERR-ORDER-TOKEN-FIRST',
    level: 'REFERENCE',
    area: 'errors',
    needsToken: true,
    title: 'the token is checked before the content type and body (no token + bad body is 403)',
    authority: [openkms(ORDER)],
    acceptedCodes: ['403 KMS.0301'],
    reference: 'spec: info "Requests are checked in this order: route and method, token, content type, size, JSON syntax, schema"',
    keys: 0,
    async run(c) {
      const strict = answer(403, KMS_CODES.tokenMissing);
      expectRejected(
        c,
        await c.createKey(undefined, { token: null, rawBody: '{"key_alias":' }),
        [strict],
        strict,
        'no token, malformed JSON',
      );
      expectRejected(
        c,
        await c.createKey(undefined, { token: null, rawBody: 'x', contentType: 'text/plain' }),
        [strict],
        strict,
        'no token, text/plain',
      );
    },
  },
  {
    id: 'CK-ERR-ORDER-CONTENT-TYPE',
    level: 'REFERENCE',
    area: 'errors',
    title: 'the content type is checked before JSON syntax (text/plain + malformed body is 415)',
    authority: [openkms(ORDER)],
    acceptedCodes: ['415 KMS.0308'],
    reference: 'spec: info "Requests are checked in this order: … content type (415), size, JSON syntax (400 KMS.0202)"',
    keys: 0,
    async run(c) {
      const strict = answer(415, KMS_CODES.invalidParameter);
      expectRejected(
        c,
        await c.createKey(undefined, { rawBody: '{"key_alias":', contentType: 'text/plain' }),
        [strict],
        strict,
        'text/plain, malformed JSON',
      );
    },
  },
];
