import pino, { type Logger } from 'pino';
import { auditWriteFailures } from '../metrics/server-metrics';

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
  record(entry: AuditRecord): void;
  /** Flushes and closes the sink. */
  close(): Promise<void>;
}

/**
 * An append-only JSON-lines file (mode 0600), written synchronously so a record is in the
 * file as soon as the response it describes closes. pino does the serialisation; each line is
 * `{"type":"key-operation","time":<epoch ms>, ...record}`.
 */
export function createFileAuditSink(path: string): AuditSink {
  const destination = pino.destination({ dest: path, append: true, sync: true, mkdir: true, mode: 0o600 });
  // The level slot names the record type instead: every line is one kind of record.
  const logger: Logger = pino({ base: null, formatters: { level: () => ({ type: 'key-operation' }) } }, destination);
  return {
    record: (entry) => {
      try {
        logger.info(entry);
      } catch (error) {
        // Counted for /metrics, then thrown on as before.
        auditWriteFailures.inc();
        throw error;
      }
    },
    close: () =>
      new Promise((resolve) => {
        destination.flushSync();
        destination.end();
        destination.once('close', () => resolve());
      }),
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
 * server appending to the same file, and each line is one append.
 */
export function appendMaintenanceRecord(path: string, record: MaintenanceRecord): void {
  const destination = pino.destination({ dest: path, append: true, sync: true, mkdir: true, mode: 0o600 });
  try {
    pino({ base: null, formatters: { level: () => ({ type: 'maintenance' }) } }, destination).info(record);
    destination.flushSync();
  } finally {
    destination.destroy();
  }
}

/** A sink that keeps nothing, for apps built without an audit trail (unit tests of other layers). */
export const NO_AUDIT: AuditSink = { record: () => undefined, close: async () => undefined };
