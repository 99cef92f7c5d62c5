import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/** Requests whose client waits for `100 Continue` before sending the body. */
const AWAITING_CONTINUE = new WeakSet<IncomingMessage>();
/** Requests with an `Expect` other than `100-continue`: the app answers them 417. */
const UNMET_EXPECTATION = new WeakSet<IncomingMessage>();

/**
 * Takes over Node's answers to `Expect`. By default Node sends `100 Continue` before the app
 * sees the request (so before any credential is checked), and answers any other expectation
 * with a bare 417. Here both go through the app: `100 Continue` is sent by the body reader,
 * once the checks that need no body have passed (sendContinueIfAwaited); a refusal before that
 * closes the connection, since the client never sent the body it announced.
 */
export function serveExpectations(server: Server, serve: RequestListener): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    AWAITING_CONTINUE.add(req);
    res.setHeader('Connection', 'close');
    serve(req, res);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    UNMET_EXPECTATION.add(req);
    serve(req, res);
  });
}

/** Tells a waiting client to send its body: called just before the body is read. */
export function sendContinueIfAwaited(req: IncomingMessage, res: ServerResponse): void {
  if (!AWAITING_CONTINUE.delete(req)) return;
  res.removeHeader('Connection');
  res.writeContinue();
}

/** Whether the request carried an `Expect` this server cannot meet. */
export function hasUnmetExpectation(req: IncomingMessage): boolean {
  return UNMET_EXPECTATION.has(req);
}
