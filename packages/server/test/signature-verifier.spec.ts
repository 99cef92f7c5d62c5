/**
 * The verifier alone, over requests as Node hands them to the server (method, raw URL, lower-case
 * trimmed headers, raw body), signed by the published SDK core's AKSKSigner over open-ended
 * bodies, queries and header sets. fast-check reports the seed and the shrunk counterexample of
 * a failure; replay it with `{ seed, path }` in fc.assert's options.
 */
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import type { IHttpRequest } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest';
import type { AccessKeyCredential } from '../src/auth/access-key-resolver';
import {
  DATE_SKEW_MS,
  FailureThrottle,
  GatewayAuthError,
  parseAuthorization,
  parseSdkDate,
  REASONS,
  SignatureVerifier,
} from '../src/auth/signature';
import { canonicalQuery, canonicalUris, signerEncode } from '../src/auth/signature/canonical-request';
import { sdkDate } from './sdk-signer';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 11, 3, 6, 15, 0);
const KEY: AccessKeyCredential = {
  accessKeyId: 'HPUAPROPERTY0000001',
  secretKey: 'property-secret-key-ÄÖÜ-0123456789',
  name: 'property',
  domainId: 'd4'.repeat(16),
  projects: ['project-a'],
};

interface Case {
  readonly body: unknown;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
}

/** Signs with the SDK core's AKSKSigner; returns the request as Node would hand it over. */
function signed(
  c: Case,
  path = '/v1.0/project-a/kms/create-key',
): { req: IncomingMessage; body: Buffer | undefined; authorization: string } {
  const request = {
    endpoint: `https://kms.example.com${path}`,
    method: 'POST',
    headers: { 'X-Sdk-Date': sdkDate(T0), ...c.headers },
    data: c.body,
    queryParams: c.query,
  } as unknown as IHttpRequest;
  const credential = { getAk: () => KEY.accessKeyId, getSk: () => KEY.secretKey } as unknown as Parameters<typeof AKSKSigner.sign>[1];
  const all = AKSKSigner.sign(request, credential) as Record<string, string>;
  const headers = Object.fromEntries(Object.entries(all).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const query = new URLSearchParams(c.query).toString();
  const req = { method: 'POST', url: `${path}${query ? `?${query}` : ''}`, headers } as unknown as IncomingMessage;
  return {
    req,
    body: c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body), 'utf8'),
    authorization: headers['authorization']!,
  };
}

function verifier(now = T0, throttle?: FailureThrottle): SignatureVerifier {
  return new SignatureVerifier({
    accessKeys: { find: async (ak) => (ak === KEY.accessKeyId ? KEY : undefined) },
    now: () => now,
    throttle,
  });
}

async function verify(v: SignatureVerifier, s: ReturnType<typeof signed>, body = s.body): Promise<void> {
  const pending = await v.checkHeaders(s.req, parseAuthorization(s.authorization), 'project-a');
  pending.verifyBody(body);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayAuthError) return error.reason;
    throw error;
  }
  return 'accepted';
}

const headerName = fc
  .stringMatching(/^x-[a-z0-9-]{1,12}$/)
  .filter((name) => !['x-sdk-date', 'x-sdk-content-sha256', 'x-security-token', 'x-project-id'].includes(name));
// Printable, without the surrounding whitespace Node trims from a received value.
const headerValue = fc.stringMatching(/^[\x21-\x7E]([\x20-\x7E]{0,30}[\x21-\x7E])?$/);
// Any code point, and often the characters encoders disagree on.
const tricky = fc.constantFrom(' ', '+', '%', '/', '&', '=', '?', '#', '~', '*', "'", '!', 'a', 'Z', '0', 'é', '😀');
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: tricky, maxLength: 12 }));
const cases: fc.Arbitrary<Case> = fc.record({
  body: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 5 }), {
    nil: undefined,
  }),
  query: fc.dictionary(
    text.filter((name) => name !== ''),
    text,
    { maxKeys: 4 },
  ),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
});

describe('SignatureVerifier against the SDK core signer', () => {
  it('accepts every request the SDK core signs, and refuses it once one body byte changes', async () => {
    await fc.assert(
      fc.asyncProperty(cases, fc.nat(), async (c, flip) => {
        const s = signed({ ...c, headers: { 'Content-Type': 'application/json', ...c.headers } });
        expect(await refusal(verify(verifier(), s))).toBe('accepted');
        const tampered = Buffer.from(s.body ?? Buffer.from('{}'));
        if (s.body) tampered[flip % tampered.length]! ^= 0x01;
        expect(await refusal(verify(verifier(), s, tampered))).toBe(REASONS.mismatch);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts a path whose project needs percent-encoding, encoded as the Node.js core encodes it', async () => {
    const s = signed({ body: {}, query: {}, headers: {} }, '/v1.0/project%20a/kms/create-key');
    const v = new SignatureVerifier({ accessKeys: { find: async () => ({ ...KEY, projects: ['project a'] }) }, now: () => T0 });
    const pending = await v.checkHeaders(s.req, parseAuthorization(s.authorization), 'project a');
    expect(() => pending.verifyBody(s.body)).not.toThrow();
  });

  it('refuses a request whose signed header value changed', async () => {
    const s = signed({ body: { a: 1 }, query: { q: 'a b' }, headers: { 'X-Trace': 'one' } });
    (s.req.headers as Record<string, string>)['x-trace'] = 'two';
    expect(await refusal(verify(verifier(), s))).toBe(REASONS.mismatch);
  });
});

const FIXED_REASONS: string[] = Object.values(REASONS).filter((reason) => typeof reason === 'string');

describe('hostile signature headers', () => {
  const authorization = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }).map((rest) => `SDK-HMAC-SHA256 ${rest}`),
    fc
      .record({
        access: fc.oneof(fc.constant(KEY.accessKeyId), fc.string({ maxLength: 30 })),
        signed: fc.oneof(fc.constant('host;x-sdk-date'), fc.string({ maxLength: 40 })),
        signature: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 })),
      })
      .map(({ access, signed, signature }) => `SDK-HMAC-SHA256 Access=${access}, SignedHeaders=${signed}, Signature=${signature}`),
  );
  const date = fc.oneof(fc.constant(sdkDate(T0)), fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{8}T\d{6}Z$/));

  it('refuses anything but a valid signature with a 401 reason or a KMS 403, never another error, and never reveals the expected signature', async () => {
    await fc.assert(
      fc.asyncProperty(authorization, date, fc.string({ maxLength: 20 }), async (auth, sentDate, body) => {
        const req = {
          method: 'POST',
          url: '/v1.0/project-a/kms/create-key',
          headers: { authorization: auth, 'x-sdk-date': sentDate, host: 'kms.example.com' },
        } as unknown as IncomingMessage;
        try {
          const pending = await verifier().checkHeaders(req, parseAuthorization(auth), 'project-a');
          pending.verifyBody(Buffer.from(body));
          throw new Error('accepted a request nobody signed');
        } catch (error) {
          if (error instanceof GatewayAuthError) {
            // A fixed reason, or a missing header named from the caller's own SignedHeaders.
            if (!/^signed header [^ ]+ is missing from the request$/.test(error.reason)) {
              expect(FIXED_REASONS).toContain(error.reason);
              expect(error.message).not.toMatch(/[0-9a-f]{64}/);
            }
          } else {
            expect(error).toMatchObject({ code: 'KMS.0305' });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonical request parts', () => {
  it('encodes as the SDK core does: only RFC 3986 unreserved characters stay', () => {
    expect(signerEncode("a-b_c.d~e!*'() /%Ä")).toBe('a-b_c.d~e%21%2A%27%28%29%20%2F%25%C3%84');
    expect(signerEncode('😀')).toBe('%F0%9F%98%80');
  });

  it('gives the Node.js form (encode what was sent) and, for a path with %, the decoded form the Python core and the gateway sign', () => {
    expect(canonicalUris('/v1.0/p/kms/create-key')).toEqual(['/v1.0/p/kms/create-key/']);
    expect(canonicalUris('/v1.0/a%20b/kms/x')).toEqual(['/v1.0/a%2520b/kms/x/', '/v1.0/a%20b/kms/x/']);
    expect(canonicalUris('/v1.0/a%zz/kms/x')).toEqual(['/v1.0/a%25zz/kms/x/']);
    expect(canonicalUris('/')).toEqual(['/']);
  });

  it('sorts the decoded query by name then value and encodes it; invalid percent-encoding has no canonical form', () => {
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery('b=2&a=x+y&a=%2B&c')).toBe('a=%2B&a=x%20y&b=2&c=');
    expect(canonicalQuery('a=%E0%A4%A')).toBeUndefined();
  });

  it('reads X-Sdk-Date only as a real UTC time in basic ISO 8601 form', () => {
    expect(parseSdkDate('20261203T061500Z')).toBe(T0);
    for (const bad of ['20261203T061500', '2026-12-03T06:15:00Z', '20260230T000000Z', '20261203T246000Z', ' 20261203T061500Z']) {
      expect({ bad, parsed: parseSdkDate(bad) }).toEqual({ bad, parsed: undefined });
    }
    expect(DATE_SKEW_MS).toBe(15 * 60_000);
  });
});

describe('FailureThrottle', () => {
  it('locks after 5 consecutive failures for 5 minutes, then forgets the count', () => {
    let now = T0;
    const throttle = new FailureThrottle({ now: () => now });
    for (let i = 0; i < 4; i++) throttle.recordFailure('AK');
    expect(throttle.isLocked('AK')).toBe(false);
    throttle.recordFailure('AK');
    expect(throttle.isLocked('AK')).toBe(true);
    now += 5 * 60_000 - 1;
    expect(throttle.isLocked('AK')).toBe(true);
    now += 1;
    expect(throttle.isLocked('AK')).toBe(false);
    throttle.recordFailure('AK');
    expect(throttle.isLocked('AK')).toBe(false);
  });

  it('a success ends the run of failures', () => {
    const throttle = new FailureThrottle({ now: () => T0 });
    for (let i = 0; i < 4; i++) throttle.recordFailure('AK');
    throttle.recordSuccess('AK');
    for (let i = 0; i < 4; i++) throttle.recordFailure('AK');
    expect(throttle.isLocked('AK')).toBe(false);
  });

  it('tracks at most maxTracked access keys, forgetting the least recently failed', () => {
    const throttle = new FailureThrottle({ now: () => T0, maxTracked: 3 });
    for (const ak of ['A', 'B', 'C', 'D']) throttle.recordFailure(ak);
    expect(throttle.size).toBe(3);
    for (let i = 0; i < 4; i++) throttle.recordFailure('A');
    expect(throttle.isLocked('A')).toBe(false);
    throttle.recordFailure('B');
    for (let i = 0; i < 3; i++) throttle.recordFailure('B');
    expect(throttle.isLocked('B')).toBe(false);
    throttle.recordFailure('B');
    expect(throttle.isLocked('B')).toBe(true);
  });
});
