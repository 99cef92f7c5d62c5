/** What every handler gets beside its validated input; owned by the HTTP layer's request state. */
export type { AuditFields, RequestContext } from '../http/request-state';
