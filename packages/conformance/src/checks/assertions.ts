import type { HttpResponse } from '../http/kms-http';
import { CheckFailure } from './check';
import type { CheckContext } from './context';

export function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** Requires 200 and returns the body (already validated against the operation's 200 schema). */
export function expectOk<T = Record<string, unknown>>(context: CheckContext, response: HttpResponse, what: string): T {
  ensure(response.status === 200, `${what}: expected 200, got ${context.describe(response)}`);
  return response.json as T;
}

/** `STATUS CODE` of an answer, e.g. `400 KMS.1101` (`400 -` without a KMS error body). */
export function answerOf(response: HttpResponse): string {
  const code = (response.json as { error?: { error_code?: unknown } } | undefined)?.error?.error_code;
  return `${response.status} ${typeof code === 'string' ? code : '-'}`;
}

/** Whether `answer` (`400 KMS.1101`) is one of `accepted`, where `KMS.*` stands for any KMS code. */
export function answerMatches(answer: string, accepted: readonly string[]): boolean {
  return accepted.some(
    (a) => a === answer || (a.endsWith(' KMS.*') && answer.startsWith(a.slice(0, -1)) && /^\d{3} KMS\.\d{4}$/.test(answer)),
  );
}

/**
 * Requires a rejection: one of `accepted` (the answers a reasonable reading of the documents
 * gives) or, in strict mode (REFERENCE checks), exactly `strict`, OpenKMS's own choice.
 */
export function expectRejected(c: CheckContext, response: HttpResponse, accepted: readonly string[], strict: string, what: string): void {
  const allowed = c.strict ? [strict] : accepted;
  const answer = answerOf(response);
  ensure(answerMatches(answer, allowed), `${what}: expected ${allowed.join(' or ')}, got ${c.describe(response)}`);
}

/** Runs `expectRejected` for each case so the message names the case that failed. */
export async function expectEachRejected<T>(
  c: CheckContext,
  cases: readonly T[],
  send: (item: T) => Promise<HttpResponse>,
  accepted: readonly string[],
  strict: string,
  label: (item: T) => string,
): Promise<void> {
  for (const item of cases) expectRejected(c, await send(item), accepted, strict, label(item));
}

/** `400 KMS.1101` from a status and a code (codes read from the spec's x-kms-error-code). */
export const answer = (status: number, code: string): string => `${status} ${code}`;
