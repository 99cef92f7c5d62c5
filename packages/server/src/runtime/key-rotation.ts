import type { KmsService } from '@openkms/core';
import type { Logger } from 'pino';

export interface KeyRotationTimer {
  /** Stops the timer and waits for a run under way. */
  stop(): Promise<void>;
}

/**
 * Automatic key rotation (docs/key-rotation.md): rotates every key whose rotation interval has
 * passed, once now, then every `intervalMs`. Runs overlapping with another server's rotate each
 * due key once between them (the store's compare and swap); a run that fails (the database away)
 * is logged and the next tick tries again.
 */
export function startKeyRotation(service: Pick<KmsService, 'rotateDueKeys'>, intervalMs: number, logger: Logger): KeyRotationTimer {
  let running: Promise<void> | undefined;
  const run = () => {
    // One run at a time in this process: a slow run is not overlapped by the next tick.
    running ??= service
      .rotateDueKeys()
      .then(
        (keyIds) => {
          // Key IDs are not secret; the audit trail of the rotation is this line (never the material).
          if (keyIds.length > 0) logger.info({ rotated_keys: keyIds, count: keyIds.length }, 'keys due for automatic rotation rotated');
        },
        (error: unknown) => logger.error({ err: error }, 'automatic key rotation failed; retrying at the next interval'),
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
