import type { Logger } from 'pino';

export interface PeriodicKeyTask {
  /** Stops the timer and waits for a run under way. */
  stop(): Promise<void>;
}

export interface PeriodicKeyTaskOptions {
  /** One run over the store: the IDs of the keys it acted on. */
  readonly run: () => Promise<readonly string[]>;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** The log line's field for the key IDs, and its message, when a run acted on any. */
  readonly keysField: string;
  readonly doneMessage: string;
  readonly failedMessage: string;
}

/**
 * Store-wide key maintenance (the purge, automatic rotation): one run now, then one every
 * `intervalMs`, never two at a time in this process. Runs of several servers over one store
 * may overlap; the store's own conditions act on each key once. A failed run (the database
 * away) is logged and the next tick tries again.
 */
export function startPeriodicKeyTask(options: PeriodicKeyTaskOptions): PeriodicKeyTask {
  const { logger } = options;
  let running: Promise<void> | undefined;
  const run = () => {
    // A slow run is not overlapped by the next tick.
    running ??= options
      .run()
      .then(
        (keyIds) => {
          // Key IDs are not secret (never the material); this line is the operation's record.
          if (keyIds.length > 0) logger.info({ [options.keysField]: keyIds, count: keyIds.length }, options.doneMessage);
        },
        (error: unknown) => logger.error({ err: error }, options.failedMessage),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
