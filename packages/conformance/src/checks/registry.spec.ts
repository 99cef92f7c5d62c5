import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AREAS, LEVELS } from './check';
import { answerMatches } from './assertions';
import { CHECKS, checksMarkdownTable, selectChecks } from './registry';
import { loadSpec } from '../spec/load-spec';

describe('the check registry', () => {
  it('gives every check a level, a known area, a title, an authority, its accepted answers and a reference to the spec', () => {
    for (const check of CHECKS) {
      expect(LEVELS).toContain(check.level);
      expect(AREAS).toContain(check.area);
      expect(check.title.length).toBeGreaterThan(10);
      expect(check.reference).toMatch(/spec:|docs\//);
      expect(check.authority.length).toBeGreaterThan(0);
      for (const answer of check.acceptedCodes) expect(answer).toMatch(/^[1-5]\d\d KMS\.(\d{4}|\*)$/);
      expect(Number.isInteger(check.keys) && check.keys >= 0).toBe(true);
    }
    expect(new Set(CHECKS.map((c) => c.area))).toEqual(new Set(AREAS));
  });

  it('makes a check MUST or SHOULD only on the authority of a document, and REFERENCE only on OpenKMS behaviour', () => {
    for (const check of CHECKS) {
      const kinds = check.authority.map((a) => a.kind);
      if (check.level === 'REFERENCE') expect(kinds[0]).toBe('openkms');
      else expect(kinds.filter((k) => k !== 'openkms').length).toBe(kinds.length);
    }
  });

  it('gives every REFERENCE twin answers its documented check also accepts (our choice is one reading of the documents)', () => {
    for (const check of CHECKS) {
      if (!check.referenceTwin) continue;
      const twin = CHECKS.find((c) => c.id === check.referenceTwin!.id)!;
      expect(twin.level).toBe('REFERENCE');
      for (const answer of twin.acceptedCodes)
        expect([check.id, answer, answerMatches(answer, check.acceptedCodes)]).toEqual([check.id, answer, true]);
    }
  });

  it("lists the documents' checks first and the REFERENCE checks after them", () => {
    const firstReference = CHECKS.findIndex((c) => c.level === 'REFERENCE');
    expect(firstReference).toBeGreaterThan(0);
    expect(CHECKS.slice(firstReference).every((c) => c.level === 'REFERENCE')).toBe(true);
  });

  it('selects by ID, wildcard and area, drops SHOULD checks at level must and REFERENCE checks below level reference', () => {
    expect(selectChecks(CHECKS, 'CK-ALIAS-LEN-0', 'should').map((c) => c.id)).toEqual(['CK-ALIAS-LEN-0']);
    expect(selectChecks(CHECKS, '*ALIAS-LEN-0', 'reference').map((c) => c.id)).toEqual(['CK-ALIAS-LEN-0', 'CK-REF-ALIAS-LEN-0']);
    expect(selectChecks(CHECKS, undefined, 'should').some((c) => c.level === 'REFERENCE')).toBe(false);
    expect(selectChecks(CHECKS, 'ck-alias-len-*', 'should').map((c) => c.id)).toEqual([
      'CK-ALIAS-LEN-1',
      'CK-ALIAS-LEN-255',
      'CK-ALIAS-LEN-0',
      'CK-ALIAS-LEN-256',
    ]);
    expect(
      selectChecks(CHECKS, 'auth, robustness', 'must').every((c) => ['auth', 'robustness'].includes(c.area) && c.level === 'MUST'),
    ).toBe(true);
    expect(selectChecks(CHECKS, undefined, 'reference')).toHaveLength(CHECKS.length);
    expect(selectChecks(CHECKS, 'no-such-thing', 'should')).toEqual([]);
  });

  it('checks every operation of the spec in some profile', () => {
    const spec = loadSpec();
    const operations = Object.values(spec.document.paths)
      .flatMap((item) => Object.values(item).map((op) => (op as { operationId?: string } | undefined)?.operationId))
      .filter((id): id is string => typeof id === 'string');
    expect(operations.length).toBeGreaterThanOrEqual(6);
    // context.ts names every operation it can send; the checks are the other files.
    const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && f !== 'context.ts');
    const sources = files.map((f) => readFileSync(resolve(__dirname, f), 'utf8')).join('\n');
    for (const operation of operations) {
      const action = operation.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
      expect([operation, sources.includes(`'${operation}'`) || sources.includes(`'${action}'`)]).toEqual([operation, true]);
    }
  });

  it('is listed in the README exactly as `openkms-conformance --list` prints it', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const listed = /<!-- checks:start -->\n([\s\S]*?)\n<!-- checks:end -->/.exec(readme)?.[1];
    expect(listed).toBe(checksMarkdownTable());
  });
});
