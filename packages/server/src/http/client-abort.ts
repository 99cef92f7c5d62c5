import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusAnsweredOnSocket } from './client-error';

/** The client went away before its whole body arrived: nothing to answer, and no server fault. */
export class ClientAbort extends Error {
  constructor() {
    super('the client closed the connection before sending its whole request body');
    this.name = 'ClientAbort';
  }
}

/**
 * The status the audit trail and the request log record: the answer's when it went out in
 * full; else the one the clientError hook wrote on the socket (408 for a body too slow); else
 * 499, a client that went away before its answer (nginx's "client closed request").
 */
export function recordedStatus(req: IncomingMessage, res: ServerResponse): number {
  if (res.writableFinished) return res.statusCode;
  return statusAnsweredOnSocket(req.socket) ?? 499;
}
