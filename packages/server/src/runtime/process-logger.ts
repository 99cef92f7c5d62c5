import pino from 'pino';

/** At most one warning per this interval while the log cannot be written. */
const WARNING_INTERVAL_MS = 60_000;

/**
 * Standard output as the process log's destination, written synchronously. A stdout that cannot
 * be written (a full disk under a redirected log) must not stop the server: pino's stream reports
 * such failures as 'error' events, which would end the process unheard. Here they cost only the
 * lines: a warning goes to stderr (at most one a minute), and serving goes on. (The audit log,
 * unlike this log, fails closed: audit/.)
 */
export function stdoutLogDestination(): pino.DestinationStream & NodeJS.EventEmitter {
  // Lines that cannot be written wait in memory, up to 16 MiB; beyond that they are dropped.
  const destination = pino.destination({ dest: 1, sync: true, maxLength: 16 * 1024 * 1024 });
  let warnedAt = -Infinity;
  destination.on('error', (error: NodeJS.ErrnoException) => {
    const now = Date.now();
    if (now - warnedAt < WARNING_INTERVAL_MS) return;
    warnedAt = now;
    process.stderr.write(`openkms: the log (stdout) cannot be written (${error.code ?? error.message}); log lines are lost until it can\n`);
  });
  return destination;
}
