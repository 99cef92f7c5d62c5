import type { KmsService } from '@openkms/core';
import type { Logger } from 'pino';
import { startPeriodicKeyTask, type PeriodicKeyTask } from './periodic-key-task';

/** Destroys keys whose scheduled deletion date has passed: once now, then every `intervalMs` (the store deletes each key once). */
export function startKeyPurge(service: Pick<KmsService, 'purgeDueKeys'>, intervalMs: number, logger: Logger): PeriodicKeyTask {
  return startPeriodicKeyTask({
    run: () => service.purgeDueKeys(),
    intervalMs,
    logger,
    keysField: 'purged_keys',
    doneMessage: 'keys past their deletion date destroyed',
    failedMessage: 'purging keys past their deletion date failed; retrying at the next interval',
  });
}
