import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AREAS } from './check';
import { CHECKS, checksMarkdownTable, selectChecks } from './registry';

describe('the check registry', () => {
  it('gives every check a level, a known area, a title and a reference to the spec', () => {
    for (const check of CHECKS) {
      expect(['MUST', 'SHOULD']).toContain(check.level);
      expect(AREAS).toContain(check.area);
      expect(check.title.length).toBeGreaterThan(10);
      expect(check.reference).toMatch(/spec:|docs\//);
    }
    expect(new Set(CHECKS.map((c) => c.area))).toEqual(new Set(AREAS));
  });

  it('selects by ID, wildcard and area, and drops SHOULD checks at level must', () => {
    expect(selectChecks(CHECKS, 'CK-ALIAS-LEN-0', 'should').map((c) => c.id)).toEqual(['CK-ALIAS-LEN-0']);
    expect(selectChecks(CHECKS, 'ck-alias-len-*', 'should').map((c) => c.id)).toEqual(['CK-ALIAS-LEN-1', 'CK-ALIAS-LEN-255', 'CK-ALIAS-LEN-0', 'CK-ALIAS-LEN-256']);
    expect(selectChecks(CHECKS, 'auth, robustness', 'must').every((c) => ['auth', 'robustness'].includes(c.area) && c.level === 'MUST')).toBe(true);
    expect(selectChecks(CHECKS, undefined, 'should')).toHaveLength(CHECKS.length);
    expect(selectChecks(CHECKS, 'no-such-thing', 'should')).toEqual([]);
  });

  it('is listed in the README exactly as `openkms-conformance --list` prints it', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const listed = /<!-- checks:start -->\n([\s\S]*?)\n<!-- checks:end -->/.exec(readme)?.[1];
    expect(listed).toBe(checksMarkdownTable());
  });
});
