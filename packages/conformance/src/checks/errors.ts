import { ensure, expectKmsError } from './assertions';
import type { Check } from './check';
import { KMS_CODES } from '../spec/spec-facts';

const MALFORMED = ['{"key_alias": ', '{key_alias: "x"}', '{"key_alias":"x",}', "{'key_alias':'x'}", '{"a":1}}'];

export const errorChecks: readonly Check[] = [
  {
    id: 'CK-ERR-MALFORMED-JSON',
    level: 'MUST',
    area: 'errors',
    title: 'a body with a JSON syntax error is 400 KMS.0202 on both operations',
    reference: 'spec: BadRequest "KMS.0202 malformed JSON", info (check order); docs/errors.md KMS.0202',
    async run(c) {
      for (const operation of ['createKey', 'createDatakey'] as const) {
        for (const rawBody of MALFORMED) {
          expectKmsError(c, await c.post(operation, undefined, { rawBody }), 400, KMS_CODES.malformedJson, `${operation} body ${JSON.stringify(rawBody)}`);
        }
      }
    },
  },
  {
    id: 'CK-ERR-CONTENT-TYPE',
    level: 'MUST',
    area: 'errors',
    title: 'a body not sent as application/json is 415 KMS.0308',
    reference: 'spec: requestBody content application/json, UnsupportedMediaType (KMS.0308); 001 创建密钥 / 002 (Content-Type: application/json)',
    async run(c) {
      const rawBody = JSON.stringify({ key_alias: c.uniqueAlias('ct') });
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', null]) {
        expectKmsError(c, await c.createKey(undefined, { rawBody, contentType }), 415, KMS_CODES.invalidParameter, `Content-Type ${contentType ?? '(none)'}`);
      }
    },
  },
  {
    id: 'CK-ERR-UNKNOWN-ROUTE',
    level: 'MUST',
    area: 'errors',
    title: 'a path that is no operation is 404 KMS.0201 with the error body',
    reference: 'spec: paths (only create-key, create-datakey), info "route and method (404 KMS.0201)"; kms-facts §1',
    async run(c) {
      for (const action of ['no-such-operation', 'create-keys', '']) {
        expectKmsError(c, await c.createKey({ key_alias: 'x' }, { action }), 404, KMS_CODES.noSuchApi, `POST .../kms/${action}`);
      }
      const root = await c.send({ method: 'GET', path: '/v2.0/nothing/here', headers: {} }, undefined);
      expectKmsError(c, root, 404, KMS_CODES.noSuchApi, 'GET /v2.0/nothing/here');
    },
  },
  {
    id: 'CK-ERR-WRONG-METHOD',
    level: 'MUST',
    area: 'errors',
    title: 'a method other than POST on an operation path is 405 KMS.0215',
    reference: 'spec: MethodNotAllowed (KMS.0215), info "route and method (405 KMS.0215)"; kms-facts §1',
    async run(c) {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        for (const operation of ['createKey', 'createDatakey'] as const) {
          const body = method === 'GET' ? undefined : {};
          expectKmsError(c, await c.post(operation, body, { method }), 405, KMS_CODES.methodNotAllowed, `${method} ${operation}`);
        }
      }
    },
  },
  {
    id: 'CK-ERR-BODY-TOO-LARGE',
    level: 'SHOULD',
    area: 'errors',
    title: 'a 1 MiB body is refused with 413 KMS.0203',
    reference: 'spec: PayloadTooLarge (KMS.0203); kms-facts §1 "request message too long"',
    async run(c) {
      const rawBody = JSON.stringify({ key_alias: c.uniqueAlias('big'), key_description: 'x'.repeat(1024 * 1024) });
      expectKmsError(c, await c.createKey(undefined, { rawBody }), 413, KMS_CODES.bodyTooLarge, '1 MiB body');
    },
  },
  {
    id: 'CK-ERR-REQUEST-ID',
    level: 'SHOULD',
    area: 'errors',
    title: 'responses carry an X-Request-Id header, on success and on error',
    reference: 'spec: headers X-Request-Id on every declared response',
    async run(c) {
      const ok = await c.createKey({ key_alias: c.uniqueAlias('rid') });
      const error = await c.createKey({ key_alias: '' });
      ensure(Boolean(ok.headers.get('x-request-id')), `200 response has no X-Request-Id header`);
      ensure(Boolean(error.headers.get('x-request-id')), `${error.status} response has no X-Request-Id header`);
    },
  },
  {
    id: 'CK-ERR-ORDER-TOKEN-FIRST',
    level: 'SHOULD',
    area: 'errors',
    title: 'the token is checked before the content type and body (no token + bad body is 403)',
    reference: 'spec: info "Requests are checked in this order: route and method, token, content type, size, JSON syntax, schema"',
    async run(c) {
      expectKmsError(c, await c.createKey(undefined, { token: null, rawBody: '{"key_alias":' }), 403, KMS_CODES.tokenMissing, 'no token, malformed JSON');
      expectKmsError(c, await c.createKey(undefined, { token: null, rawBody: 'x', contentType: 'text/plain' }), 403, KMS_CODES.tokenMissing, 'no token, text/plain');
    },
  },
  {
    id: 'CK-ERR-ORDER-CONTENT-TYPE',
    level: 'SHOULD',
    area: 'errors',
    title: 'the content type is checked before JSON syntax (text/plain + malformed body is 415)',
    reference: 'spec: info "Requests are checked in this order: … content type (415), size, JSON syntax (400 KMS.0202)"',
    async run(c) {
      expectKmsError(c, await c.createKey(undefined, { rawBody: '{"key_alias":', contentType: 'text/plain' }), 415, KMS_CODES.invalidParameter, 'text/plain, malformed JSON');
    },
  },
];
