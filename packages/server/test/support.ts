import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { KmsService, MemoryKeyStore, RootKey, type KeyStore } from '@openkms/core';
import { sha256Hex, TokenRegistry } from '../src/auth/token-registry';
import { createApp, type AppApi } from '../src/http/app';
import type { RateLimits } from '../src/http/rate-limits';
import type { ServerMetrics } from '../src/metrics/server-metrics';

/** Two callers in one domain with different projects, and a third in another domain. */
export const CALLERS = {
  alice: { token: 'okms_test_alice_token', domainId: 'a1'.repeat(16), projectId: 'project-a' },
  bob: { token: 'okms_test_bob_token', domainId: 'a1'.repeat(16), projectId: 'project-b' },
  carol: { token: 'okms_test_carol_token', domainId: 'c3'.repeat(16), projectId: 'project-c' },
} as const;
export type Caller = (typeof CALLERS)[keyof typeof CALLERS];
export const REGION = 'test-region-1';

export interface TestApp {
  readonly app: Express;
  readonly service: KmsService;
  /** Every log line the app wrote, as text. */
  readonly logs: string[];
  post(path: string, caller?: Caller): request.Test;
  createKey(body: unknown, caller?: Caller): request.Test;
  createDatakey(body: unknown, caller?: Caller): request.Test;
  encryptDatakey(body: unknown, caller?: Caller): request.Test;
  decryptDatakey(body: unknown, caller?: Caller): request.Test;
  describeKey(body: unknown, caller?: Caller): request.Test;
  listKeys(body: unknown, caller?: Caller): request.Test;
}

/** The app as the server builds it, over an in-memory store, with response validation on. */
export async function buildTestApp(
  options: {
    maxKeysPerProject?: number;
    store?: KeyStore;
    rateLimits?: RateLimits;
    api?: (service: KmsService) => AppApi;
    metrics?: ServerMetrics;
    /** The service's clock (key lifecycle tests move it by hand). */
    now?: () => number;
  } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  const service = await KmsService.open({
    store: options.store ?? new MemoryKeyStore(),
    rootKey: RootKey.generate(),
    region: REGION,
    maxKeysPerProject: options.maxKeysPerProject,
    now: options.now,
  });
  const tokens = new TokenRegistry(
    Object.entries(CALLERS).map(([name, caller]) => ({
      name,
      tokenSha256: sha256Hex(caller.token),
      domainId: caller.domainId,
      projects: [caller.projectId],
    })),
  );
  const app = createApp({
    service,
    tokens,
    logger,
    validateResponses: true,
    rateLimits: options.rateLimits,
    api: options.api?.(service),
    metrics: options.metrics,
  });
  const post = (path: string, caller: Caller = CALLERS.alice) =>
    request(app).post(`/v1.0/${caller.projectId}/kms/${path}`).set('X-Auth-Token', caller.token);
  return {
    app,
    service,
    logs,
    post,
    createKey: (body, caller) => post('create-key', caller).send(body as object),
    createDatakey: (body, caller) => post('create-datakey', caller).send(body as object),
    encryptDatakey: (body, caller) => post('encrypt-datakey', caller).send(body as object),
    decryptDatakey: (body, caller) => post('decrypt-datakey', caller).send(body as object),
    describeKey: (body, caller) => post('describe-key', caller).send(body as object),
    listKeys: (body, caller) => post('list-keys', caller).send(body as object),
  };
}

/** Asserts the KMS error body and returns it. */
export function expectKmsError(response: request.Response, status: number, code: string): { error_code: string; error_msg: string } {
  const detail = `${response.status} ${JSON.stringify(response.body)}`;
  expect({ status: response.status, code: response.body?.error?.error_code, detail }).toEqual({ status, code, detail });
  expect(Object.keys(response.body)).toEqual(['error']);
  expect(Object.keys(response.body.error).sort()).toEqual(['error_code', 'error_msg']);
  expect(typeof response.body.error.error_msg).toBe('string');
  expect(response.body.error.error_msg.length).toBeGreaterThan(0);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return response.body.error;
}

export { KEY_ID_PATTERN } from '@openkms/core';

/** POSTs a JSON body to `/v1.0/{projectId}/kms/{operation}` with a token; resolves with the status and parsed body. */
export async function postKms(
  url: string,
  auth: { readonly projectId: string; readonly token: string },
  operation: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1.0/${auth.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': auth.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
