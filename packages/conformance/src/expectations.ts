import { readFileSync } from 'node:fs';

/** A known deviation of the server under test: the check is expected to fail, or is not run. */
export interface Expectation {
  readonly expect: 'fail' | 'skip';
  readonly reason: string;
}

export type Expectations = ReadonlyMap<string, Expectation>;

/**
 * Parses an expectations file: `{ "CK-ID": "fail" | "skip" | { "expect": "fail" | "skip", "reason": "…" } }`.
 * Unknown check IDs are an error, so a typo cannot silently hide a failure.
 */
export function parseExpectations(text: string, knownIds: ReadonlySet<string>, source = 'expectations'): Expectations {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${source}: expected an object of check IDs`);
  const expectations = new Map<string, Expectation>();
  for (const [id, value] of Object.entries(parsed)) {
    if (id.startsWith('$')) continue; // "$comment" and the like
    if (!knownIds.has(id)) throw new Error(`${source}: unknown check ID ${id}`);
    const entry = typeof value === 'string' ? { expect: value, reason: '' } : (value as { expect?: unknown; reason?: unknown });
    if (entry.expect !== 'fail' && entry.expect !== 'skip')
      throw new Error(`${source}: ${id} must be "fail" or "skip", or {"expect": "fail"|"skip", "reason": "…"}`);
    expectations.set(id, { expect: entry.expect, reason: typeof entry.reason === 'string' ? entry.reason : '' });
  }
  return expectations;
}

export function readExpectationsFile(path: string, knownIds: ReadonlySet<string>): Expectations {
  return parseExpectations(readFileSync(path, 'utf8'), knownIds, path);
}
