import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** What Node's HTTP parser reports, mapped to a status and a KMS error body. */
const ANSWERS: Readonly<Record<string, { status: number; reason: string; code: string; message: string }>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'KMS.0308', message: 'The request was not received in time.' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'KMS.0203',
    message: 'The request headers are too large.',
  },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'KMS.0308', message: 'The HTTP request is malformed.' };

/**
 * Errors before a request exists (a malformed request line, oversized headers, a client too
 * slow to send its request) never reach Express. Node would answer them with an empty body;
 * this answers with the KMS error body too, and closes the connection.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // The client closed its side mid-request (HPE_INVALID_EOF_STATE) or reset: nobody to answer, a client abort.
  if (!socket.writable || error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE') {
    socket.destroy();
    return;
  }
  const answer = ANSWERS[error.code ?? ''] ?? MALFORMED;
  // A request under way (its body too slow: 408) is recorded with this status, not as a client abort.
  ANSWERED_ON_SOCKET.set(socket, answer.status);
  endWithAnswer(socket, answer);
}

const ANSWERED_ON_SOCKET = new WeakMap<Socket, number>();

/** The status answered on the raw socket by the hook above, when it answered one there. */
export function statusAnsweredOnSocket(socket: Socket): number | undefined {
  return ANSWERED_ON_SOCKET.get(socket);
}

/**
 * A CONNECT request (a tunnel, as to a proxy) never reaches the app, and node closes it bare
 * unless someone listens: answered 405 KMS.0215 like any method a path does not take.
 */
export function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  endWithAnswer(socket as Socket, {
    status: 405,
    reason: 'Method Not Allowed',
    code: 'KMS.0215',
    message: 'The HTTP method CONNECT is not supported.',
  });
}

/** Writes a whole KMS error answer on the raw socket and closes it. */
function endWithAnswer(socket: Socket, answer: { status: number; reason: string; code: string; message: string }): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { error_code: answer.code, error_msg: answer.message } });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
