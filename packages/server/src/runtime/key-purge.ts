import type { KmsService } from '@openkms/core';
import type { Logger } from 'pino';

export interface KeyPurge {
  /** Stops the timer and waits for a purge under way. */
  stop(): Promise<void>;
}

/**
 * Destroys keys whose scheduled deletion date has passed: once now, then every `intervalMs`.
 * Each run is safe to overlap with another server's (the store deletes each key once); a run
 * that fails (the database away) is logged and the next tick tries again.
 */
export function startKeyPurge(service: Pick<KmsService, 'purgeDueKeys'>, intervalMs: number, logger: Logger): KeyPurge {
  let running: Promise<void> | undefined;
  const run = () => {
    // One run at a time in this process: a slow run is not overlapped by the next tick.
    running ??= service
      .purgeDueKeys()
      .then(
        (keyIds) => {
          // Key IDs are not secret; the audit trail of the deletion is this line.
          if (keyIds.length > 0) logger.info({ purged_keys: keyIds, count: keyIds.length }, 'keys past their deletion date destroyed');
        },
        (error: unknown) => logger.error({ err: error }, 'purging keys past their deletion date failed; retrying at the next interval'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
