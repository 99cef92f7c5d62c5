import type { Logger } from 'pino';
import { auditWriteFailures } from '../metrics/server-metrics';
import { AuditFile } from './audit-file';

/**
 * One key operation as the audit trail records it. Never key material, data keys, tokens or
 * request bodies: only who asked for what, and how it ended.
 */
export interface AuditRecord {
  /** The request's ID (`X-Request-Id`), to join with the request log. */
  readonly request_id: string;
  /** The operationId of the spec, e.g. `createDatakey`. */
  readonly operation: string;
  readonly project_id: string;
  /** Absent when the token was missing or unknown. */
  readonly domain_id?: string;
  /** The token file entry's name; absent when the token was missing or unknown. */
  readonly token_name?: string;
  /** The access key ID a signed request named (even when its signature failed); never the secret key or signature. */
  readonly access_key_id?: string;
  /** The access key's name, once the signed request's headers passed (and, when the body was read, its signature). */
  readonly access_key_name?: string;
  /** The key the operation made or used, when it succeeded. */
  readonly key_id?: string;
  /** The key reference the caller sent (ID, alias or alias URN), when it failed. */
  readonly key_ref?: string;
  readonly outcome: 'success' | 'failure';
  readonly status: number;
  readonly error_code?: string;
}

export interface AuditSink {
  /** Writes the record: it is in the file when this returns. Throws AuditWriteError when it cannot be written. */
  record(entry: AuditRecord): void;
  /** Whether the last write failed (and none succeeded since): new operations are refused until one does. */
  readonly failing: boolean;
  /**
   * While failing: writes a `resumed` line saying how many writes failed, so the gap shows in the
   * trail itself. Throws AuditWriteError while the log still cannot be written. Nothing otherwise.
   */
  resume(): void;
  /** Opens the file at its path again (SIGHUP, after logrotate moved it). Throws AuditWriteError when it cannot (writes retry). */
  reopen(): void;
  /** Flushes and closes the sink. */
  close(): Promise<void>;
}

/**
 * The audit log: an append-only JSON-lines file (audit-file.ts), one line per record,
 * `{"type":"key-operation","time":<epoch ms>, ...record}`, written before the answer it
 * describes is sent. A failed write is thrown to the caller (who refuses the request); the
 * first failure of a run and the recovery are logged (never a record's content).
 */
export function createFileAuditSink(path: string, logger?: Logger): AuditSink {
  const file = new AuditFile(path);
  let failedWrites = 0;
  const write = (line: string) => {
    try {
      file.append(line);
    } catch (error) {
      auditWriteFailures.inc();
      if (failedWrites++ === 0)
        logger?.error({ err: error, audit_log: path }, 'the audit log cannot be written; refusing requests until it can');
      throw error;
    }
    if (failedWrites > 0) {
      logger?.info({ audit_log: path, failed_writes: failedWrites }, 'the audit log is writable again');
      failedWrites = 0;
    }
  };
  // A torn last line is closed off at once; if the disk is full, the first record does it.
  try {
    write('');
  } catch {
    // Logged; the server starts and refuses requests until the audit log takes a line.
  }
  return {
    record: (entry) => write(`${JSON.stringify({ type: 'key-operation', time: Date.now(), ...entry })}\n`),
    get failing() {
      return failedWrites > 0;
    },
    resume: () => {
      if (failedWrites > 0) write(`${JSON.stringify({ type: 'resumed', time: Date.now(), failed_writes: failedWrites })}\n`);
    },
    reopen: () => {
      file.reopen();
      logger?.info({ audit_log: path }, 'audit log reopened');
    },
    close: async () => file.close(),
  };
}

/** A maintenance command's run (such as rewrap), as the audit trail records it: counts and root key check values, never keys. */
export interface MaintenanceRecord {
  readonly operation: string;
  readonly outcome: 'success' | 'failure';
  readonly [detail: string]: unknown;
}

/**
 * Appends one `{"type":"maintenance","time":<epoch ms>, ...record}` line to the audit file
 * (created 0600), synchronously: maintenance commands run in their own process, beside a
 * server appending to the same file, and each line is one append (a torn last line is closed off first).
 */
export function appendMaintenanceRecord(path: string, record: MaintenanceRecord): void {
  const file = new AuditFile(path);
  try {
    file.append(`${JSON.stringify({ type: 'maintenance', time: Date.now(), ...record })}\n`);
  } finally {
    file.close();
  }
}

/** A sink that keeps nothing, for apps built without an audit trail (unit tests of other layers). */
export const NO_AUDIT: AuditSink = {
  record: () => undefined,
  failing: false,
  resume: () => undefined,
  reopen: () => undefined,
  close: async () => undefined,
};
