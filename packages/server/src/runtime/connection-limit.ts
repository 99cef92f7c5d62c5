import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused connection may stay to receive its 503 while the client finishes sending. */
const REFUSAL_LINGER_MS = 1000;
/** Refused connections kept lingering at once; beyond, a refused connection is closed unanswered. */
const MAX_LINGERING = 64;

const BODY = JSON.stringify({ error: { error_code: 'KMS.0104', error_msg: 'The server has too many open connections; retry later.' } });
const REFUSAL =
  `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n` +
  `Retry-After: 1\r\nConnection: close\r\n\r\n${BODY}`;

const REFUSED = new WeakSet<Socket>();

/**
 * `--max-connections` is the limit for the whole instance: one process holds all of it; with
 * `--workers N` each worker holds an equal share (rounded down), so the workers together never
 * hold more. node:cluster hands connections to the workers in turn, so the shares fill evenly.
 */
export function connectionsPerProcess(config: { readonly maxConnections: number; readonly workers: number }): number {
  return config.workers > 1 ? Math.floor(config.maxConnections / config.workers) : config.maxConnections;
}

/**
 * Holds the server to `max` open connections. A connection beyond is answered at once with a
 * short `503 KMS.0104` (the KMS body, `Connection: close`) and closed, instead of being closed
 * bare (node's `server.maxConnections`) or, in a cluster, queued in the primary. The answer is
 * written before the request is read; the refused connection lingers a moment, reading and
 * dropping what the client sends, since closing with unread data would reset the connection
 * and lose the answer.
 */
export function limitConnections(server: Server, max: number): void {
  let open = 0;
  let lingering = 0;
  // Before node's HTTP listener, which still parses what a refused connection sends: the app
  // must skip those requests (isRefusedConnection).
  server.prependListener('connection', (socket: Socket) => {
    if (open < max) {
      open++;
      socket.once('close', () => open--);
      return;
    }
    REFUSED.add(socket);
    if (lingering >= MAX_LINGERING) {
      socket.destroy();
      return;
    }
    lingering++;
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
    timer.unref();
    socket.once('close', () => {
      lingering--;
      clearTimeout(timer);
    });
    socket.on('error', () => socket.destroy());
    socket.end(REFUSAL);
  });
}

/** Whether the connection was refused (and already answered): its requests must not be served. */
export function isRefusedConnection(socket: Socket): boolean {
  return REFUSED.has(socket);
}
