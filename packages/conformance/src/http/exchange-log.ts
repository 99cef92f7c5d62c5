import type { CheckResult, RecordedExchange } from '../report/report';
import { sendWithOneRetryOnStaleConnection, type HttpRequest, type HttpResponse } from './kms-http';

/** Headers that carry credentials: their values never reach a report. */
const CREDENTIAL_HEADERS = new Set(['x-auth-token', 'authorization', 'x-security-token', 'x-subject-token', 'cookie', 'set-cookie']);

/** One hop's transport, not the message: left out of the reports. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** What an exchange log needs from its check: token masking and the names of the x-sensitive fields. */
export interface Redaction {
  /** Replaces the run's tokens wherever they appear. */
  mask(text: string): string;
  sensitiveFields(): readonly string[];
}

/**
 * Sends a check's requests and keeps the last few with their answers, redacted, so a report can
 * show what a failed check saw. Robustness checks send dozens; the last ones are where they failed.
 */
export class ExchangeLog {
  static readonly KEPT = 12;
  static readonly BODY_LIMIT = 2000;
  readonly #redaction: Redaction;
  readonly #entries: RecordedExchange[] = [];
  #total = 0;

  constructor(redaction: Redaction) {
    this.#redaction = redaction;
  }

  async send(baseUrl: string, request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    const sent = {
      method: request.method,
      path: request.path,
      headers: this.#headers(Object.entries(request.headers)),
      ...this.#body(request.body),
    };
    try {
      const response = await sendWithOneRetryOnStaleConnection(baseUrl, request, timeoutMs);
      this.#push({
        request: sent,
        response: {
          status: response.status,
          headers: this.#headers([...response.headers.entries()].filter(([name]) => !HOP_HEADERS.has(name))),
          body: this.#body(response.text).body ?? '',
        },
      });
      return response;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      this.#push({
        request: sent,
        error: this.#redaction.mask(`${(error as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''}`),
      });
      throw error;
    }
  }

  get entries(): readonly RecordedExchange[] {
    return this.#entries;
  }

  get omitted(): number {
    return this.#total - this.#entries.length;
  }

  #push(exchange: RecordedExchange): void {
    this.#total += 1;
    this.#entries.push(exchange);
    if (this.#entries.length > ExchangeLog.KEPT) this.#entries.shift();
  }

  #headers(entries: [string, string][]): Record<string, string> {
    const shown = (name: string, value: string) => {
      if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) return this.#redaction.mask(value);
      // The empty and blank cases are what some checks are about; any other value is a secret.
      return value === '' ? '(empty)' : value.trim() === '' ? '(blank)' : '***';
    };
    return Object.fromEntries(entries.map(([name, value]) => [name, shown(name, value)]));
  }

  /** Redacts x-sensitive string fields in the text itself (it may not be valid JSON), masks tokens and cuts it. */
  #body(text: string | undefined): { body?: string } {
    if (text === undefined) return {};
    let redacted = text;
    for (const field of this.#redaction.sensitiveFields()) {
      const pattern = new RegExp(`("${field.replace(/[^A-Za-z0-9_]/g, '\\$&')}"\\s*:\\s*)"((?:[^"\\\\]|\\\\.)*)"`, 'g');
      redacted = redacted.replace(pattern, (_match, key: string, value: string) => `${key}"<redacted, ${value.length} chars>"`);
    }
    redacted = this.#redaction.mask(redacted);
    if (redacted.length > ExchangeLog.BODY_LIMIT)
      redacted = `${redacted.slice(0, ExchangeLog.BODY_LIMIT)}… (${text.length} characters in all)`;
    return { body: redacted };
  }
}

/** The result with the check's exchanges, when it sent any. */
export function withExchanges<R extends CheckResult>(result: R, log: ExchangeLog): R {
  if (log.entries.length === 0) return result;
  return { ...result, exchanges: log.entries, ...(log.omitted > 0 ? { omittedExchanges: log.omitted } : {}) };
}
