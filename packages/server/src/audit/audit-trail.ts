import type { IncomingMessage, ServerResponse } from 'node:http';
import { credentialFields } from '../http/request-log';
import { recordedStatus } from '../http/client-abort';
import type { RequestState } from '../http/request-state';
import type { AuditSink } from './audit-log';

/** Caller-sent values are recorded only if they could be what they claim: bounded and printable. */
const KEY_REFERENCE = /^[\x21-\x7E]{1,400}$/;
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Records a key operation once its response has closed, whatever the outcome: success, a KMS
 * error (authentication failures included), or a client that went away. The key ID is the one
 * the handler said it used; a failure records the reference the caller sent instead.
 */
export function auditOperation(sink: AuditSink, req: IncomingMessage & { body?: unknown }, res: ServerResponse, state: RequestState): void {
  if (!state.operation) return;
  const success = res.writableFinished && res.statusCode < 400;
  const keyRef = (req.body as { key_id?: unknown } | undefined)?.key_id;
  const projectId = state.pathParams?.['project_id'] ?? '';
  sink.record({
    request_id: state.requestId,
    operation: state.operation.operationId,
    project_id: PROJECT_ID.test(projectId) ? projectId : '(invalid)',
    ...(state.principal && { domain_id: state.principal.scope.domainId }),
    ...credentialFields(state),
    ...(success && state.audit.keyId !== undefined && { key_id: state.audit.keyId }),
    ...(!success && typeof keyRef === 'string' && KEY_REFERENCE.test(keyRef) && { key_ref: keyRef }),
    outcome: success ? 'success' : 'failure',
    status: recordedStatus(req, res),
    ...(state.errorCode !== undefined && { error_code: state.errorCode }),
  });
}
