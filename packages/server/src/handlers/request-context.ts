import type { Scope } from '@openkms/core';
import type { Logger } from 'pino';

/** What every handler gets beside its validated input: who is calling, and a request-scoped logger. */
export interface RequestContext {
  readonly scope: Scope;
  readonly requestId: string;
  /** The token file entry's name (never the token), for logs and the audit trail. */
  readonly tokenName: string;
  readonly log: Logger;
}
