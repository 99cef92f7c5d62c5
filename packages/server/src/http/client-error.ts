import type { Socket } from 'node:net';

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
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const answer = ANSWERS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ error: { error_code: answer.code, error_msg: answer.message } });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
