import { profileOf, type Check, type Profile } from './check';
import { authChecks } from './auth';
import { createDatakeyChecks } from './create-datakey';
import { createKeyChecks } from './create-key';
import { errorChecks } from './errors';
import { extendedChecks } from './extended';
import { isolationChecks } from './isolation';
import { robustnessChecks } from './robustness';
import { semanticsChecks } from './semantics';

/** Every check of the kit, in the order they run and are listed. */
export const CHECKS: readonly Check[] = [
  ...createKeyChecks,
  ...createDatakeyChecks,
  ...errorChecks,
  ...authChecks,
  ...semanticsChecks,
  ...isolationChecks,
  ...robustnessChecks,
  ...extendedChecks,
];

const ID = /^CK-[A-Z0-9]+(-[A-Z0-9]+)*$/;
const seen = new Set<string>();
for (const check of CHECKS) {
  // IDs are the kit's public interface (expectations files, CI history): fail loudly on a clash.
  if (!ID.test(check.id) || seen.has(check.id)) throw new Error(`check ID ${check.id} is malformed or used twice`);
  seen.add(check.id);
}

/** Matches `--only`: comma-separated check IDs or areas, `*` as a wildcard, case-insensitive. */
export function selectChecks(checks: readonly Check[], only: string | undefined, level: 'must' | 'should', profile: Profile = 'all'): Check[] {
  const patterns = (only ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
  return checks.filter(
    (check) =>
      (profile === 'all' || profileOf(check.area) === profile) &&
      (level === 'should' || check.level === 'MUST') &&
      (patterns.length === 0 || patterns.some((p) => p.test(check.id) || p.test(check.area))),
  );
}

/** The check list as a Markdown table, for the README (a test keeps the README equal to it). */
export function checksMarkdownTable(checks: readonly Check[] = CHECKS): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = checks.map(
    (c) => `| \`${c.id}\` | ${c.level} | ${c.area}${c.needsOtherProject ? ' (needs 2nd project)' : ''} | ${cell(c.title)} | ${cell(c.reference)} |`,
  );
  return ['| ID | level | area | what it checks | reference |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
