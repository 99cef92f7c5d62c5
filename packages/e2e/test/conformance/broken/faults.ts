import { randomBytes } from 'node:crypto';
import type { Fault, ProxiedRequest, ProxiedResponse } from './fault-proxy';
import { ALICE, CAROL } from '../support/reference-server';

export interface BrokenImplementation {
  readonly name: string;
  /** The rule it breaks, in words. */
  readonly bug: string;
  /** The check written for this rule: it must be among the failures. */
  readonly caughtBy: string;
  readonly fault: Fault;
}

const isOperation = (request: ProxiedRequest, action: string) => request.method === 'POST' && request.path.endsWith(`/kms/${action}`);

function parseBody(request: ProxiedRequest): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(request.body ?? '');
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const withBody = (request: ProxiedRequest, body: unknown): ProxiedRequest => ({ ...request, body: JSON.stringify(body) });

function errorCode(response: ProxiedResponse): string | undefined {
  try {
    return (JSON.parse(response.body) as { error?: { error_code?: string } }).error?.error_code;
  } catch {
    return undefined;
  }
}

/** Rewrites the JSON body of a 200 answer. */
function mapOk(response: ProxiedResponse, map: (body: Record<string, string>) => Record<string, string>): ProxiedResponse {
  if (response.status !== 200) return response;
  return { ...response, body: JSON.stringify(map(JSON.parse(response.body) as Record<string, string>)) };
}

const kmsError = (status: number, code: string, msg: string): ProxiedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: { error_code: code, error_msg: msg } }),
});

const VALID_LENGTH = /^[1-9][0-9]{0,3}$/;

export const BROKEN_IMPLEMENTATIONS: readonly BrokenImplementation[] = [
  {
    name: 'accepts-default-alias',
    bug: 'creates keys whose alias ends in /default',
    caughtBy: 'CK-ALIAS-DEFAULT-SUFFIX',
    async fault(request, forward) {
      const body = parseBody(request);
      if (isOperation(request, 'create-key') && typeof body?.key_alias === 'string' && body.key_alias.endsWith('/default')) {
        return forward(withBody(request, { ...body, key_alias: `dmk-${randomBytes(6).toString('hex')}` }));
      }
      return forward(request);
    },
  },
  {
    name: 'lower-case-hex',
    bug: 'returns plain_text and cipher_text in lower-case hex',
    caughtBy: 'CK-DK-HEX-UPPER',
    fault: async (request, forward) =>
      mapOk(await forward(request), (b) =>
        b.plain_text ? { ...b, plain_text: b.plain_text.toLowerCase(), cipher_text: String(b.cipher_text).toLowerCase() } : b,
      ),
  },
  {
    name: 'odd-length-hex',
    bug: 'drops the last hex digit of plain_text and cipher_text',
    caughtBy: 'CK-DK-HEX-EVEN',
    fault: async (request, forward) =>
      mapOk(await forward(request), (b) =>
        b.plain_text ? { ...b, plain_text: b.plain_text.slice(0, -1), cipher_text: String(b.cipher_text).slice(0, -1) } : b,
      ),
  },
  {
    name: 'ignores-datakey-length',
    bug: 'always makes 256-bit data keys, whatever datakey_length asks (as LocalStack does)',
    caughtBy: 'CK-DK-LENGTH-HONOURED',
    async fault(request, forward) {
      const body = parseBody(request);
      const length = body?.datakey_length;
      if (
        isOperation(request, 'create-datakey') &&
        typeof length === 'string' &&
        VALID_LENGTH.test(length) &&
        Number(length) % 8 === 0 &&
        Number(length) <= 8192
      ) {
        return forward(withBody(request, { ...body, datakey_length: '256' }));
      }
      return forward(request);
    },
  },
  {
    name: 'malformed-json-500',
    bug: 'answers 500 KMS.0101 to a body that is not valid JSON',
    caughtBy: 'CK-ERR-MALFORMED-JSON',
    async fault(request, forward) {
      if (
        request.method === 'POST' &&
        request.headers['content-type'] === 'application/json' &&
        request.headers['x-auth-token'] &&
        request.body !== undefined
      ) {
        try {
          JSON.parse(request.body);
        } catch {
          return kmsError(500, 'KMS.0101', 'Internal error.');
        }
      }
      return forward(request);
    },
  },
  {
    name: 'leaks-keys-across-projects',
    bug: "lets a caller use another project's key (looks the key up in every project)",
    caughtBy: 'CK-ISO-KEY-BY-ID',
    async fault(request, forward) {
      const response = await forward(request);
      if (!isOperation(request, 'create-datakey') || errorCode(response) !== 'KMS.0207') return response;
      for (const caller of [ALICE, CAROL]) {
        const path = request.path.replace(/\/v1\.0\/[^/]+\//, `/v1.0/${caller.projectId}/`);
        const retried = await forward({ ...request, path, headers: { ...request.headers, 'x-auth-token': caller.token } });
        if (retried.status === 200) return retried;
      }
      return response;
    },
  },
  {
    name: 'auth-401',
    bug: 'answers 401 instead of 403 to authentication failures',
    caughtBy: 'CK-AUTH-MISSING-TOKEN',
    fault: async (request, forward) => {
      const response = await forward(request);
      return response.status === 403 ? { ...response, status: 401 } : response;
    },
  },
  {
    name: 'duplicate-alias-wrong-code',
    bug: 'reports a duplicate alias as KMS.1101 (invalid alias) instead of KMS.1104',
    caughtBy: 'CK-SEM-DUPLICATE-ALIAS',
    fault: async (request, forward) => {
      const response = await forward(request);
      return errorCode(response) === 'KMS.1104' ? { ...response, body: response.body.replace('KMS.1104', 'KMS.1101') } : response;
    },
  },
  {
    name: 'not-found-without-body',
    bug: 'answers 404 with an empty body',
    caughtBy: 'CK-SEM-UNKNOWN-KEY',
    fault: async (request, forward) => {
      const response = await forward(request);
      return response.status === 404 ? { status: 404, headers: {}, body: '' } : response;
    },
  },
  {
    name: 'accepts-256-char-alias',
    bug: 'accepts a 256-character alias (silently cut to 255)',
    caughtBy: 'CK-ALIAS-LEN-256',
    async fault(request, forward) {
      const body = parseBody(request);
      if (isOperation(request, 'create-key') && typeof body?.key_alias === 'string' && /^[a-zA-Z0-9:/_-]{256}$/.test(body.key_alias)) {
        return forward(withBody(request, { ...body, key_alias: body.key_alias.slice(0, 255) }));
      }
      return forward(request);
    },
  },
  {
    name: 'same-datakey-twice',
    bug: 'returns the same data key for repeated requests (a cache keyed by the request)',
    caughtBy: 'CK-DK-FRESH-KEYS',
    fault: (() => {
      const cache = new Map<string, ProxiedResponse>();
      return async (request, forward) => {
        const key = `${request.path} ${request.body}`;
        const cached = isOperation(request, 'create-datakey') ? cache.get(key) : undefined;
        if (cached) return cached;
        const response = await forward(request);
        if (isOperation(request, 'create-datakey') && response.status === 200) cache.set(key, response);
        return response;
      };
    })(),
  },
  {
    name: 'external-key-makes-datakeys',
    bug: 'creates origin:external keys with material, so they make data keys',
    caughtBy: 'CK-SEM-EXTERNAL-NO-DATAKEY',
    async fault(request, forward) {
      const body = parseBody(request);
      if (isOperation(request, 'create-key') && body?.origin === 'external') return forward(withBody(request, { ...body, origin: 'kms' }));
      return forward(request);
    },
  },
  {
    name: 'undeclared-422',
    bug: 'answers 422 (not declared by the spec) instead of 400',
    caughtBy: 'CK-ALIAS-LEN-0',
    fault: async (request, forward) => {
      const response = await forward(request);
      return response.status === 400 ? { ...response, status: 422 } : response;
    },
  },
  {
    name: 'accepts-unknown-fields',
    bug: 'ignores body fields the spec does not define (allowed by the documents: only OpenKMS rejects them, at level reference)',
    caughtBy: 'CK-KEY-UNKNOWN-FIELD',
    async fault(request, forward) {
      const body = parseBody(request);
      if (isOperation(request, 'create-key') && body) {
        const known = ['key_alias', 'key_description', 'origin', 'enterprise_project_id', 'sequence'];
        return forward(withBody(request, Object.fromEntries(Object.entries(body).filter(([name]) => known.includes(name)))));
      }
      return forward(request);
    },
  },
  {
    name: 'ignores-aad',
    bug: 'accepts additional_authenticated_data and leaves it out of the ciphertext (a data key opens without it)',
    caughtBy: 'CK-DKD-AAD',
    async fault(request, forward) {
      const body = parseBody(request);
      if (body && ['create-datakey', 'encrypt-datakey', 'decrypt-datakey'].some((action) => isOperation(request, action))) {
        return forward(
          withBody(request, Object.fromEntries(Object.entries(body).filter(([name]) => name !== 'additional_authenticated_data'))),
        );
      }
      return forward(request);
    },
  },
  {
    name: 'ignores-datakey-key-spec',
    bug: 'accepts create-datakey key_spec and ignores it (AES_128 still makes a 256-bit key)',
    caughtBy: 'CK-DK-KEY-SPEC',
    async fault(request, forward) {
      const body = parseBody(request);
      if (body && isOperation(request, 'create-datakey')) {
        return forward(withBody(request, Object.fromEntries(Object.entries(body).filter(([name]) => name !== 'key_spec'))));
      }
      return forward(request);
    },
  },
  {
    name: 'unnamed-unknown-field',
    bug: 'refuses an undefined body field without naming it (the documents do not require the name: caught at level reference)',
    caughtBy: 'CK-DK-UNKNOWN-FIELD',
    fault: async (request, forward) => {
      const response = await forward(request);
      if (response.status !== 400 || !response.body.includes('does not define')) return response;
      return kmsError(400, 'KMS.0308', 'The request body has a parameter this API does not define.');
    },
  },
  {
    name: 'echoes-token',
    bug: 'puts the rejected X-Auth-Token in error_msg (the documents do not forbid it: caught at level reference)',
    caughtBy: 'CK-REF-AUTH-UNKNOWN-TOKEN',
    fault: async (request, forward) => {
      const response = await forward(request);
      if (errorCode(response) !== 'KMS.0302') return response;
      return kmsError(403, 'KMS.0302', `X-Auth-Token ${request.headers['x-auth-token'] ?? ''} is invalid.`);
    },
  },
  {
    name: 'rejects-default-lookalikes',
    bug: 'rejects every alias containing /default, not only those ending in it',
    caughtBy: 'CK-ALIAS-DEFAULT-LOOKALIKES',
    async fault(request, forward) {
      const body = parseBody(request);
      if (isOperation(request, 'create-key') && typeof body?.key_alias === 'string' && body.key_alias.includes('/default')) {
        return kmsError(400, 'KMS.1101', 'Invalid key_alias.');
      }
      return forward(request);
    },
  },
  {
    name: 'crashes-on-non-object-datakey-body',
    bug: 'answers 500 when the create-datakey body is JSON but not an object (reads a field of null)',
    caughtBy: 'CK-ROBUST-CREATE-DATAKEY',
    async fault(request, forward) {
      if (isOperation(request, 'create-datakey') && request.headers['content-type'] === 'application/json' && request.body !== undefined) {
        try {
          const body: unknown = JSON.parse(request.body);
          if (body === null || typeof body !== 'object' || Array.isArray(body)) return kmsError(500, 'KMS.0101', 'Internal error.');
        } catch {
          // not JSON: the real server's KMS.0202 answer
        }
      }
      return forward(request);
    },
  },
  {
    name: 'wrong-method-404',
    bug: 'answers 404 KMS.0201 instead of 405 KMS.0215 to a wrong method',
    caughtBy: 'CK-ERR-WRONG-METHOD',
    fault: async (request, forward) => {
      const response = await forward(request);
      return response.status === 405 ? kmsError(404, 'KMS.0201', 'No such API.') : response;
    },
  },
  {
    name: 'decrypt-ignores-context',
    bug: 'decrypt-datakey opens cipher_text under whatever encryption_context it is given (the context is not bound)',
    caughtBy: 'CK-DKD-CONTEXT',
    fault: (() => {
      // What each data key was made with, so a decrypt can be answered as if the context did not matter.
      const contexts = new Map<string, unknown>();
      return async (request: ProxiedRequest, forward: (request: ProxiedRequest) => Promise<ProxiedResponse>) => {
        const body = parseBody(request);
        if (isOperation(request, 'create-datakey')) {
          const response = await forward(request);
          if (response.status === 200)
            contexts.set((JSON.parse(response.body) as { cipher_text: string }).cipher_text, body?.encryption_context);
          return response;
        }
        if (isOperation(request, 'decrypt-datakey') && typeof body?.cipher_text === 'string' && contexts.has(body.cipher_text)) {
          const { encryption_context: _ignored, ...rest } = body;
          const made = contexts.get(body.cipher_text);
          return forward(withBody(request, made === undefined ? rest : { ...rest, encryption_context: made }));
        }
        return forward(request);
      };
    })(),
  },
  {
    name: 'decrypt-500-on-bad-blob',
    bug: 'decrypt-datakey crashes (500) on a truncated or malformed cipher_text instead of answering 400 KMS.2201',
    caughtBy: 'CK-DKD-TAMPER',
    async fault(request, forward) {
      const response = await forward(request);
      if (isOperation(request, 'decrypt-datakey') && errorCode(response) === 'KMS.2201')
        return kmsError(500, 'KMS.0101', 'Internal error.');
      return response;
    },
  },
  {
    name: 'list-keys-repeats-keys',
    bug: 'list-keys starts each page at the last key of the previous page, so that key is listed twice',
    caughtBy: 'CK-LIST-PAGINATION',
    fault: (() => {
      // next_marker -> the last key of the page that returned it (ID and description).
      const lastOfPage = new Map<string, [string, unknown]>();
      return async (request: ProxiedRequest, forward: (request: ProxiedRequest) => Promise<ProxiedResponse>) => {
        const response = await forward(request);
        if (!isOperation(request, 'list-keys') || response.status !== 200) return response;
        const marker = parseBody(request)?.marker;
        const page = JSON.parse(response.body) as { keys: string[]; key_details: unknown[]; next_marker: string };
        if (page.next_marker && page.keys.length > 0) lastOfPage.set(page.next_marker, [page.keys.at(-1)!, page.key_details.at(-1)]);
        const repeat = typeof marker === 'string' ? lastOfPage.get(marker) : undefined;
        if (!repeat) return response;
        return {
          ...response,
          body: JSON.stringify({ ...page, keys: [repeat[0], ...page.keys], key_details: [repeat[1], ...page.key_details] }),
        };
      };
    })(),
  },
];
