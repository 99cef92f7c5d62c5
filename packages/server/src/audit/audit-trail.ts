import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { recordedStatus } from '../http/client-abort';
import { credentialFields } from '../http/request-log';
import type { RequestState } from '../http/request-state';
import { ServiceUnavailableError } from '../http/service-unavailable';
import type { AuditRecord, AuditSink } from './audit-log';

/** Caller-sent values are recorded only if they could be what they claim: bounded and printable. */
const KEY_REFERENCE = /^[\x21-\x7E]{1,400}$/;
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The message of a refusal for want of an audit record: the cause is for the operator's log only. */
const AUDIT_UNAVAILABLE = 'The service is unavailable: the request could not be audited. Retry later.';

/**
 * The audit trail fails closed (Vault's rule): a key operation's answer, success or refusal
 * (authentication failures included), goes out only once its record is written. When the
 * record cannot be written the caller gets 503 KMS.0104 instead, and while the audit log is
 * failing, operations are refused before they run. Each request is recorded once.
 */
export class AuditTrail {
  readonly #sink: AuditSink;
  readonly #logger: Logger;
  readonly #recorded = new WeakSet<RequestState>();

  constructor(sink: AuditSink, logger: Logger) {
    this.#sink = sink;
    this.#logger = logger;
  }

  /**
   * Before an operation runs: while the audit log is failing, tries it again (a `resumed` line)
   * and throws 503 if it still fails, so that nothing is done that could not be recorded.
   */
  checkWritable(): void {
    if (!this.#sink.failing) return;
    try {
      this.#sink.resume();
    } catch {
      throw new ServiceUnavailableError(AUDIT_UNAVAILABLE);
    }
  }

  /**
   * Records a key operation's outcome before its answer (`status`, and `state.errorCode` for a
   * failure) is sent. Throws ServiceUnavailableError when the record cannot be written: the caller
   * then answers 503 in place of the answer it meant to send. Requests that are not key operations,
   * or already recorded (or tried), pass.
   */
  beforeAnswer(req: IncomingMessage & { body?: unknown }, state: RequestState, status: number): void {
    if (!isKeyOperation(state) || this.#recorded.has(state)) return;
    this.#recorded.add(state);
    try {
      // After a gap, the `resumed` line comes first (a refusal may be the first request to find the log writable again).
      if (this.#sink.failing) this.#sink.resume();
      this.#sink.record(auditRecord(req, state, status, status < 400));
    } catch {
      // The sink logged the cause.
      throw new ServiceUnavailableError(AUDIT_UNAVAILABLE);
    }
  }

  /**
   * When the response has closed: records a key operation that was not recorded before its
   * answer: a client that went away first (499), or a request the clientError hook answered on
   * the socket (408 for a body too slow). A failure here has no answer left to refuse: it is logged.
   */
  afterClose(req: IncomingMessage & { body?: unknown }, res: ServerResponse, state: RequestState): void {
    if (!isKeyOperation(state) || this.#recorded.has(state)) return;
    this.#recorded.add(state);
    const status = recordedStatus(req, res);
    try {
      this.#sink.record(auditRecord(req, state, status, res.writableFinished && status < 400));
    } catch (error) {
      this.#logger.error({ err: error, request_id: state.requestId }, 'a request closed unaudited: the audit log cannot be written');
    }
  }
}

/**
 * Whether the routed request is an operation on a project's keys, the trail's subject: every
 * operation whose path names a project. Version discovery (`GET /`, `GET /{version_id}`) names
 * none, touches no key and asks for no credential: there is nothing of a caller's to record.
 */
function isKeyOperation(state: RequestState): boolean {
  return state.operation !== undefined && state.pathParams?.['project_id'] !== undefined;
}

/** The record of a key operation: the key ID the handler said it used on success, the reference the caller sent on failure. */
function auditRecord(req: IncomingMessage & { body?: unknown }, state: RequestState, status: number, success: boolean): AuditRecord {
  const keyRef = (req.body as { key_id?: unknown } | undefined)?.key_id;
  const projectId = state.pathParams?.['project_id'] ?? '';
  return {
    request_id: state.requestId,
    operation: state.operation!.operationId,
    project_id: PROJECT_ID.test(projectId) ? projectId : '(invalid)',
    ...(state.principal && { domain_id: state.principal.scope.domainId }),
    ...credentialFields(state),
    ...(success && state.audit.keyId !== undefined && { key_id: state.audit.keyId }),
    ...(!success && typeof keyRef === 'string' && KEY_REFERENCE.test(keyRef) && { key_ref: keyRef }),
    outcome: success ? 'success' : 'failure',
    status,
    ...(state.errorCode !== undefined && { error_code: state.errorCode }),
  };
}
