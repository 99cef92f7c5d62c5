import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { maskUrlPasswordsInText } from '@openkms/core';
import type { LogFormat, LogLevel } from '../config';
import { stdoutLogDestination } from './process-logger';

export interface LoggerSettings {
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/**
 * The server's logger: JSON lines on standard output, or the same records made readable by
 * pino-pretty (in this thread, written synchronously, so a fatal line is out before the
 * process exits). Redaction happens in pino before either format sees a record, so the
 * pretty output never holds what the JSON would not. `destination` is for tests.
 */
export function createLogger(settings: LoggerSettings, destination?: NodeJS.WritableStream): Logger {
  if (settings.logFormat === 'json') return pino({ level: settings.logLevel }, destination ?? stdoutLogDestination());
  const pretty = pinoPretty({
    destination: destination ?? stdoutLogDestination(),
    sync: true,
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return pino({ level: settings.logLevel }, pretty);
}

/**
 * A failure to start as one line for a person on standard error, beside the full record the
 * logger writes: the reason without a stack, whitespace folded, URL passwords masked.
 */
export function fatalStartLine(what: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `openkms-server: ${what}: ${maskUrlPasswordsInText(reason).replace(/\s+/g, ' ').trim()}\n`;
}
