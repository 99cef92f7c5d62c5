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

/** Requires this status and KMS code; the body shape was already validated against ErrorResponse. */
export function expectKmsError(context: CheckContext, response: HttpResponse, status: number, code: string, what: string): void {
  const got = (response.json as { error?: { error_code?: unknown } } | undefined)?.error?.error_code;
  ensure(response.status === status && got === code, `${what}: expected ${status} ${code}, got ${context.describe(response)}`);
}

/** Runs `expectKmsError` for each case so the message names the case that failed. */
export async function expectEachRejected<T>(
  context: CheckContext,
  cases: readonly T[],
  send: (item: T) => Promise<HttpResponse>,
  status: number,
  code: string,
  label: (item: T) => string,
): Promise<void> {
  for (const item of cases) expectKmsError(context, await send(item), status, code, label(item));
}
