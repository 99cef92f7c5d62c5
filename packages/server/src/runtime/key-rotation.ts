import type { KmsService } from '@openkms/core';
import type { Logger } from 'pino';
import { startPeriodicKeyTask, type PeriodicKeyTask } from './periodic-key-task';

/**
 * Automatic key rotation (docs/key-rotation.md): rotates every key whose rotation interval has
 * passed, once now, then every `intervalMs` (the store's compare and swap rotates each due key
 * once, however many servers run).
 */
export function startKeyRotation(service: Pick<KmsService, 'rotateDueKeys'>, intervalMs: number, logger: Logger): PeriodicKeyTask {
  return startPeriodicKeyTask({
    run: () => service.rotateDueKeys(),
    intervalMs,
    logger,
    keysField: 'rotated_keys',
    doneMessage: 'keys due for automatic rotation rotated',
    failedMessage: 'automatic key rotation failed; retrying at the next interval',
  });
}
