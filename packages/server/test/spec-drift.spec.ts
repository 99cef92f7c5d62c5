import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * The promise of the generated stubs: when the spec changes in a way the handlers no longer
 * satisfy, the TypeScript build fails. Each case regenerates the server stubs from a mutated
 * copy of spec/kms.yaml (with the real generator and templates) beside a copy of the
 * hand-written sources, and type-checks them.
 */
const serverRoot = resolve(__dirname, '..');
const repoRoot = resolve(serverRoot, '../..');
const specText = readFileSync(join(repoRoot, 'spec/kms.yaml'), 'utf8');
const tsc = require.resolve('typescript/bin/tsc');

interface TypecheckResult {
  readonly ok: boolean;
  readonly output: string;
}

function typecheckAgainst(spec: string): TypecheckResult {
  // Inside the package, so the copy resolves the same node_modules as the real sources.
  const work = mkdtempSync(join(serverRoot, '.spec-drift-'));
  try {
    const src = join(serverRoot, 'src');
    cpSync(src, join(work, 'src'), { recursive: true, filter: (path) => relative(src, path).split(sep)[0] !== 'generated' });
    writeFileSync(join(work, 'kms.yaml'), spec);
    execFileSync('bash', [join(repoRoot, 'tools/scripts/generate.sh'), 'server', join(work, 'src/generated'), join(work, 'kms.yaml')], {
      stdio: 'pipe',
    });
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        extends: relative(work, join(repoRoot, 'tsconfig.base.json')),
        compilerOptions: { noEmit: true, types: ['node'] },
        include: ['src/**/*.ts'],
      }),
    );
    try {
      execFileSync(process.execPath, [tsc, '-p', join(work, 'tsconfig.json')], { stdio: 'pipe', cwd: work });
      return { ok: true, output: '' };
    } catch (error) {
      const failure = error as { stdout?: Buffer; stderr?: Buffer };
      return { ok: false, output: `${failure.stdout?.toString() ?? ''}${failure.stderr?.toString() ?? ''}` };
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function mutate(from: string | RegExp, to: string): string {
  const mutated = specText.replace(from, to);
  if (mutated === specText) throw new Error(`the mutation ${String(from)} no longer matches spec/kms.yaml`);
  return mutated;
}

/** The files tsc blamed, e.g. ["src/handlers/create-key.ts"]. */
function blamedFiles(output: string): string[] {
  return [...new Set([...output.matchAll(/^(src\/[^(]+)\(\d+,\d+\): error TS/gm)].map((match) => match[1]!))].sort();
}

jest.setTimeout(120_000);

describe('a spec change that breaks a handler fails the TypeScript build', () => {
  it('the unchanged spec type-checks (the harness itself works)', () => {
    const result = typecheckAgainst(specText);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('renaming an operationId breaks the handler table', () => {
    const result = typecheckAgainst(mutate('operationId: createKey', 'operationId: createCmk'));
    expect(result.ok).toBe(false);
    expect(blamedFiles(result.output)).toEqual(['src/handlers/create-key.ts', 'src/handlers/index.ts', 'src/http/rate-limits.ts']);
  });

  it('renaming a required response field breaks the handler that returns it', () => {
    const keyInfo = /(\n {4}KeyInfo:\n(?: {6}.*\n)*? {6}required: \[)key_id(, domain_id\]\n {6}properties:\n {8})key_id:/;
    const result = typecheckAgainst(mutate(keyInfo, '$1cmk_id$2cmk_id:'));
    expect(result.ok).toBe(false);
    expect(blamedFiles(result.output)).toEqual(['src/handlers/create-key.ts']);
  });

  it('changing a request field type breaks the handlers that read it', () => {
    const result = typecheckAgainst(mutate(/(\n {8}datakey_length:\n {10})type: string/, '$1type: integer'));
    expect(result.ok).toBe(false);
    // Both operations take CreateDatakeyRequest.
    expect(blamedFiles(result.output)).toEqual(['src/handlers/create-datakey-without-plaintext.ts', 'src/handlers/create-datakey.ts']);
  });
});
