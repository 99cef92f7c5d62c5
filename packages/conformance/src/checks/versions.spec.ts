/**
 * The version discovery checks judge what a server answers: a stand-in answering as the API
 * reference documents passes them; one that wants a token, lists no v1.0, has another status, or
 * has no such routes fails (or is NOT IMPLEMENTED) exactly where it should. The live run against
 * the reference server is in packages/e2e.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runConformance } from '../run-conformance';
import { versionChecks } from './versions';

const PROJECT = '4b4e5e3c1ad54bc6a0bd3e2f0b3c2a91';
const DOCUMENTED = {
  id: 'v1.0',
  links: [{ rel: 'self', href: 'https://kms.region_id.domain.com/v1.0/' }],
  version: '',
  status: 'CURRENT',
  updated: '2016-10-29T02:00:00Z',
  min_version: '',
};

type Answer = (req: IncomingMessage) => { status: number; body: unknown } | undefined;
let answer: Answer;
let server: Server;
let baseUrl: string;

const documented: Answer = (req) => {
  if (req.method !== 'GET') return undefined;
  if (req.url === '/') return { status: 200, body: { versions: [DOCUMENTED] } };
  if (req.url === '/v1.0') return { status: 200, body: { version: DOCUMENTED } };
  return undefined;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = answer(req) ?? { status: 404, body: { error: { error_code: 'KMS.0201', error_msg: 'No such API.' } } };
      res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': 'r' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function outcomes(level: 'should' | 'reference' = 'reference'): Promise<Record<string, string>> {
  const report = await runConformance({ baseUrl, projectId: PROJECT, token: 'tok', checks: versionChecks, level, cleanup: false });
  return Object.fromEntries(report.results.map((r) => [r.id, r.outcome]));
}

describe('version discovery checks', () => {
  it('pass a server that answers as the API reference documents, with and without a token', async () => {
    answer = documented;
    expect(await outcomes()).toEqual({
      'CK-VERSIONS-LIST': 'passed',
      'CK-VERSIONS-SHOW': 'passed',
      'CK-VERSIONS-NO-CREDENTIAL': 'passed',
      'CK-REF-VERSIONS-UNKNOWN': 'passed',
    });
  });

  it('fail only the SHOULD check when a server wants a token for version discovery', async () => {
    answer = (req) =>
      req.headers['x-auth-token'] ? documented(req) : { status: 403, body: { error: { error_code: 'KMS.0301', error_msg: 'no token' } } };
    expect(await outcomes('should')).toEqual({
      'CK-VERSIONS-LIST': 'passed',
      'CK-VERSIONS-SHOW': 'passed',
      'CK-VERSIONS-NO-CREDENTIAL': 'failed',
    });
  });

  it('fail a list without v1.0, a status the reference does not name, or a show that differs from the list', async () => {
    answer = (req) => (req.url === '/' ? { status: 200, body: { versions: [{ ...DOCUMENTED, id: 'v2.0' }] } } : documented(req));
    expect((await outcomes('should'))['CK-VERSIONS-LIST']).toBe('failed');
    answer = (req) => (req.url === '/' ? { status: 200, body: { versions: [{ ...DOCUMENTED, status: 'STABLE' }] } } : documented(req));
    expect((await outcomes('should'))['CK-VERSIONS-LIST']).toBe('failed');
    answer = (req) =>
      req.url === '/v1.0' ? { status: 200, body: { version: { ...DOCUMENTED, updated: '2020-01-01T00:00:00Z' } } } : documented(req);
    expect(await outcomes('should')).toMatchObject({ 'CK-VERSIONS-LIST': 'passed', 'CK-VERSIONS-SHOW': 'failed' });
  });

  it('report NOT IMPLEMENTED for a server without the routes, and the REFERENCE check fails a 200 for an unknown version', async () => {
    answer = () => undefined;
    expect(await outcomes('should')).toEqual({
      'CK-VERSIONS-LIST': 'not-implemented',
      'CK-VERSIONS-SHOW': 'not-implemented',
      'CK-VERSIONS-NO-CREDENTIAL': 'not-implemented',
    });
    answer = (req) => documented(req) ?? { status: 200, body: { version: DOCUMENTED } };
    expect((await outcomes())['CK-REF-VERSIONS-UNKNOWN']).toBe('failed');
  });
});
