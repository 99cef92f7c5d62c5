import type { Request, Response } from 'express';
import type { AuditSink } from './audit-log';

/** What the app leaves in `res.locals` for the audit trail. */
export interface AuditLocals {
  context?: { scope: { domainId: string; projectId: string }; tokenName?: string };
  kmsErrorCode?: string;
  /** Set by the dispatcher from a successful operation's result. */
  auditKeyId?: string;
}

/** Caller-sent values are recorded only if they could be what they claim: bounded and printable. */
const KEY_REFERENCE = /^[\x21-\x7E]{1,400}$/;
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Records the operation when its response closes, whatever the outcome: success, a KMS
 * error (authentication failures included), or a client that went away.
 */
export function auditOperation(sink: AuditSink, req: Request, res: Response, operation: string, projectId: string): void {
  res.once('close', () => {
    const locals = res.locals as AuditLocals;
    const success = res.writableFinished && res.statusCode < 400;
    const keyRef = (req.body as { key_id?: unknown } | undefined)?.key_id;
    sink.record({
      request_id: String(req.id),
      operation,
      project_id: PROJECT_ID.test(projectId) ? projectId : '(invalid)',
      ...(locals.context && { domain_id: locals.context.scope.domainId, token_name: locals.context.tokenName }),
      ...(success && locals.auditKeyId && { key_id: locals.auditKeyId }),
      ...(!success && typeof keyRef === 'string' && KEY_REFERENCE.test(keyRef) && { key_ref: keyRef }),
      outcome: success ? 'success' : 'failure',
      status: res.writableFinished ? res.statusCode : 499,
      ...(locals.kmsErrorCode && { error_code: locals.kmsErrorCode }),
    });
  });
}
