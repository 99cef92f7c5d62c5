import { createHash } from 'node:crypto';

/**
 * A PostgreSQL advisory lock key (a signed 64-bit integer, as a decimal string for the
 * driver) for a named purpose and its parts. The parts are JSON-encoded, so ('ab','c') and
 * ('a','bc') differ. Two different inputs sharing a key would only make them wait for each
 * other, never break a rule.
 */
export function advisoryLockKey(purpose: string, ...parts: readonly string[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([purpose, ...parts]), 'utf8')
    .digest();
  return digest.readBigInt64BE(0).toString();
}
