import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** undefined when the client sent no body. */
  readonly body: string | undefined;
}

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Forward = (request: ProxiedRequest) => Promise<ProxiedResponse>;

/** One injected bug: sees each request, may change it, forward it (or not), and change the answer. */
export type Fault = (request: ProxiedRequest, forward: Forward) => Promise<ProxiedResponse>;

export interface FaultyServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Headers that describe one hop's transport, not the message; fetch and node set their own. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
const KEPT_RESPONSE_HEADERS = ['content-type', 'x-request-id', 'allow', 'retry-after'];

/**
 * A server that behaves like `upstream` (our reference server) except for one fault: the cheapest
 * honest way to get an implementation that breaks exactly one rule.
 */
export async function startFaultyServer(upstream: string, fault: Fault): Promise<FaultyServer> {
  const forward: Forward = async (request) => {
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_HEADERS.has(name)));
    const response = await fetch(`${upstream}${request.path}`, { method: request.method, headers, body: request.body, redirect: 'manual' });
    const kept: Record<string, string> = {};
    for (const name of KEPT_RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    return { status: response.status, headers: kept, body: await response.text() };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const request = await readRequest(req);
        const answer = await fault(request, forward);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch (error) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${(error as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readRequest(req: IncomingMessage): Promise<ProxiedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: hasBody ? Buffer.concat(chunks).toString('utf8') : undefined };
}
