/**
 * The audit trail: every key operation (successful, refused or failed) is a JSON line in
 * `<data-dir>/audit.log` with time, request ID, domain, project, token identity, operation,
 * key and outcome, and never a secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startOpenKms } from '../src/testing';

jest.setTimeout(30_000);

let tempRoot: string;
beforeAll(() => {
  tempRoot = mkdtempSync(join(tmpdir(), 'openkms-audit-'));
});
afterAll(() => {
  rmSync(tempRoot, { recursive: true, force: true });
});

interface Call {
  readonly status: number;
  readonly requestId: string;
  readonly body: Record<string, unknown>;
}

async function call(
  server: { readonly url: string },
  projectId: string,
  operation: string,
  body: unknown,
  token: string | undefined,
): Promise<Call> {
  const res = await fetch(`${server.url}/v1.0/${projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { 'X-Auth-Token': token }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, requestId: res.headers.get('x-request-id') ?? '', body: (await res.json()) as Record<string, unknown> };
}

function readAudit(dataDir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dataDir, 'audit.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('records every key operation with who, what, which key and the outcome; appends across restarts; holds no secret', async () => {
  const dataDir = join(tempRoot, 'data');
  const rootKeyHex = randomBytes(32).toString('hex');
  const logLines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });

  // The SQLite store and the audit log in dataDir, which outlive the server for the restart below.
  const server = await startOpenKms({ store: 'sqlite', dataDir, rootKeyHex, logger });
  const dev = { token: server.token, projectId: server.projectId, domainId: server.domainId };
  const alias = `audit/${randomUUID()}`;
  const created = await call(server, dev.projectId, 'create-key', { key_alias: alias }, dev.token);
  const keyId = (created.body.key_info as { key_id: string }).key_id;
  const dataKey = await call(server, dev.projectId, 'create-datakey', { key_id: `alias/${alias}`, datakey_length: '512' }, dev.token);
  const duplicate = await call(server, dev.projectId, 'create-key', { key_alias: alias }, dev.token);
  const unknownToken = await call(server, dev.projectId, 'create-key', { key_alias: 'x' }, 'okms_unknown');
  const noToken = await call(server, dev.projectId, 'create-datakey', { key_id: keyId, datakey_length: '512' }, undefined);
  const missingKey = await call(server, dev.projectId, 'create-datakey', { key_id: 'alias/nope', datakey_length: '256' }, dev.token);
  const malformed = await call(server, dev.projectId, 'create-key', '{"key_alias": ', dev.token);
  // Not a key operation: no audit record.
  await fetch(`${server.url}/health`);
  await fetch(`${server.url}/v1.0/${dev.projectId}/kms/no-such-operation`, { method: 'POST' });
  await server.stop();

  expect([created, dataKey, duplicate, unknownToken, noToken, missingKey, malformed].map((c) => c.status)).toEqual([
    200, 200, 400, 403, 403, 404, 400,
  ]);
  const records = readAudit(dataDir);
  expect(records).toHaveLength(7);
  const byRequest = new Map(records.map((record) => [record.request_id, record]));
  // startOpenKms names its caller's token tenant-0.
  const who = { project_id: dev.projectId, domain_id: dev.domainId, token_name: 'tenant-0' };

  expect(byRequest.get(created.requestId)).toEqual({
    type: 'key-operation',
    time: expect.any(Number),
    request_id: created.requestId,
    operation: 'createKey',
    ...who,
    key_id: keyId,
    outcome: 'success',
    status: 200,
  });
  expect(byRequest.get(dataKey.requestId)).toMatchObject({
    operation: 'createDatakey',
    ...who,
    key_id: keyId,
    outcome: 'success',
    status: 200,
  });
  expect(byRequest.get(duplicate.requestId)).toMatchObject({
    operation: 'createKey',
    ...who,
    outcome: 'failure',
    status: 400,
    error_code: 'KMS.1104',
  });
  // A refused token: the project it tried, but no identity.
  const refused = byRequest.get(unknownToken.requestId)!;
  expect(refused).toMatchObject({
    operation: 'createKey',
    project_id: dev.projectId,
    outcome: 'failure',
    status: 403,
    error_code: 'KMS.0302',
  });
  expect(refused).not.toHaveProperty('domain_id');
  expect(refused).not.toHaveProperty('token_name');
  expect(byRequest.get(noToken.requestId)).toMatchObject({
    operation: 'createDatakey',
    outcome: 'failure',
    status: 403,
    error_code: 'KMS.0301',
  });
  expect(byRequest.get(missingKey.requestId)).toMatchObject({
    ...who,
    key_ref: 'alias/nope',
    outcome: 'failure',
    status: 404,
    error_code: 'KMS.0207',
  });
  expect(byRequest.get(missingKey.requestId)).not.toHaveProperty('key_id');
  expect(byRequest.get(malformed.requestId)).toMatchObject({
    operation: 'createKey',
    outcome: 'failure',
    status: 400,
    error_code: 'KMS.0202',
  });
  expect(statSync(join(dataDir, 'audit.log')).mode & 0o777).toBe(0o600);

  // A restart appends; nothing earlier is rewritten.
  const before = readFileSync(join(dataDir, 'audit.log'), 'utf8');
  const again = await startOpenKms({ store: 'sqlite', dataDir, rootKeyHex, logger, ...dev });
  const second = await call(again, dev.projectId, 'create-datakey', { key_id: keyId, datakey_length: '256' }, dev.token);
  await again.stop();
  const after = readFileSync(join(dataDir, 'audit.log'), 'utf8');
  expect(after.startsWith(before)).toBe(true);
  expect(readAudit(dataDir).at(-1)).toMatchObject({ request_id: second.requestId, key_id: keyId, outcome: 'success' });

  // No secret in the audit trail or the request log: tokens, root key, data key bytes in any encoding.
  const plainTexts = [dataKey.body.plain_text as string, second.body.plain_text as string];
  const secrets = [
    dev.token,
    dev.token.replace(/^okms_/, ''),
    rootKeyHex,
    rootKeyHex.toUpperCase(),
    Buffer.from(rootKeyHex, 'hex').toString('base64'),
    ...plainTexts.flatMap((hex) => [
      hex,
      hex.toLowerCase(),
      Buffer.from(hex, 'hex').toString('base64'),
      Buffer.from(hex, 'hex').toString('base64url'),
    ]),
  ];
  expect(logLines.length).toBeGreaterThan(10);
  for (const [where, text] of [
    ['audit.log', after],
    ['request log', logLines.join('')],
  ] as const) {
    expect({ where, leaked: secrets.filter((secret) => text.includes(secret)).map((secret) => secret.slice(0, 8)) }).toEqual({
      where,
      leaked: [],
    });
  }
});

it('leaves version discovery out of the trail: it names no project and no key and asks for no credential', async () => {
  const dataDir = join(tempRoot, 'versions');
  const server = await startOpenKms({
    store: 'sqlite',
    dataDir,
    rootKeyHex: randomBytes(32).toString('hex'),
    logger: pino({ level: 'silent' }),
  });
  try {
    const listed = await call(server, server.projectId, 'list-keys', {}, server.token);
    expect(listed.status).toBe(200);
    for (const path of ['/', '/v1.0']) expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    const records = readAudit(dataDir);
    expect(records.map((record) => record.operation)).toEqual(['listKeys']);
    expect(records.some((record) => record.project_id === '(invalid)')).toBe(false);
  } finally {
    await server.stop();
  }
});
