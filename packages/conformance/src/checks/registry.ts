import { authorityText, openkms, profileOf, type Check, type LevelOption, type Profile } from './check';
import { authChecks } from './auth';
import { createDatakeyChecks } from './create-datakey';
import { createKeyChecks } from './create-key';
import { dataEncryptionChecks } from './data-encryption';
import { dataOperationChecks } from './data-operations';
import { errorChecks } from './errors';
import { extendedChecks } from './extended';
import { isolationChecks } from './isolation';
import { lifecycleChecks } from './lifecycle';
import { keyEditChecks } from './key-edits';
import { quotaChecks } from './quotas';
import { revisionFieldChecks } from './revision-fields';
import { robustnessChecks } from './robustness';
import { rotationChecks } from './rotation';
import { semanticsChecks } from './semantics';
import { tagChecks } from './tags';
import { versionChecks } from './versions';

const DEFINED: readonly Check[] = [
  ...createKeyChecks,
  ...createDatakeyChecks,
  ...errorChecks,
  ...authChecks,
  ...semanticsChecks,
  ...isolationChecks,
  ...robustnessChecks,
  ...extendedChecks,
  ...revisionFieldChecks,
  ...lifecycleChecks,
  ...dataOperationChecks,
  ...keyEditChecks,
  ...dataEncryptionChecks,
  ...quotaChecks,
  ...tagChecks,
  ...rotationChecks,
  ...versionChecks,
];

/** The REFERENCE twin of a documented check: the same requests, held to OpenKMS's exact answers. */
function twinOf(check: Check): Check {
  const twin = check.referenceTwin!;
  return {
    id: twin.id,
    level: 'REFERENCE',
    area: check.area,
    title: `as ${check.id}, with OpenKMS's exact answers`,
    authority: [openkms(`spec/kms.yaml (${check.reference.replace(/^spec: /, '')})`), ...check.authority],
    acceptedCodes: twin.acceptedCodes,
    reference: check.reference,
    ...(check.needsOtherProject ? { needsOtherProject: true } : {}),
    ...(check.needsToken ? { needsToken: true } : {}),
    keys: check.keys,
    run: (context) => check.run(context),
  };
}

/**
 * Every check of the kit, in the order they run and are listed: the documents' checks (MUST and
 * SHOULD) first, then the REFERENCE checks (our own and the twins), reported apart.
 */
export const CHECKS: readonly Check[] = [
  ...DEFINED.filter((c) => c.level !== 'REFERENCE'),
  ...DEFINED.flatMap((c) => (c.level === 'REFERENCE' ? [c] : c.referenceTwin ? [twinOf(c)] : [])),
];

const ID = /^CK-[A-Z0-9]+(-[A-Z0-9]+)*$/;
const seen = new Set<string>();
for (const check of CHECKS) {
  // IDs are the kit's public interface (expectations files, CI history): fail loudly on a clash.
  if (!ID.test(check.id) || seen.has(check.id)) throw new Error(`check ID ${check.id} is malformed or used twice`);
  seen.add(check.id);
}

/** Matches `--only`: comma-separated check IDs or areas, `*` as a wildcard, case-insensitive. */
export function selectChecks(checks: readonly Check[], only: string | undefined, level: LevelOption, profile: Profile = 'all'): Check[] {
  const patterns = (only ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i'));
  return checks.filter(
    (check) =>
      (profile === 'all' || profileOf(check.area) === profile) &&
      (check.level === 'MUST' ||
        (check.level === 'SHOULD' && level !== 'must') ||
        (check.level === 'REFERENCE' && level === 'reference')) &&
      (patterns.length === 0 || patterns.some((p) => p.test(check.id) || p.test(check.area))),
  );
}

/** The check list as a Markdown table, for the README (a test keeps the README equal to it). */
export function checksMarkdownTable(checks: readonly Check[] = CHECKS): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const codes = (c: Check) => (c.acceptedCodes.length > 0 ? c.acceptedCodes.join(', ') : '—');
  const rows = checks.map((c) => {
    const area = `${c.area}${c.needsOtherProject ? ' (needs 2nd project)' : ''}`;
    return `| \`${c.id}\` | ${c.level} | ${area} | ${cell(c.title)} | ${cell(authorityText(c.authority))} | ${cell(codes(c))} | ${c.keys} |`;
  });
  const header = [
    '| ID | level | area | what it checks | authority | accepted answers | keys |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  return [...header, ...rows].join('\n');
}
