// ESLint for the whole workspace: typescript-eslint's recommended rules (type-aware for .ts),
// the package graph enforced by @nx/enforce-module-boundaries, and no formatting rules
// (Prettier owns layout: `prettier --check .`).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/coverage/',
      '**/src/generated/',
      'bench-results/',
      '.nx/',
      'packages/server/.spec-drift-*/',
    ],
  },
  { plugins: { '@nx': nx } },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsc's noUnusedLocals/Parameters already fail the build; this adds the `_` convention tsc lacks for variables.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Stores implement an async interface; a synchronous body (SQLite, memory) is deliberate.
      '@typescript-eslint/require-await': 'off',
      // Forwarding a caught error or an AbortSignal's reason is right; a string literal is still flagged.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read untyped HTTP bodies (supertest's `any`), stringify secrets on purpose to prove
    // redaction, and pass methods to expect(); the unsafe-any family is noise there.
    files: ['**/test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      // Which package may import which: core is the base, the client stands alone, the kit tests any
      // server through the spec (and may use the generated client), only e2e reaches everything.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allowCircularSelfDependency: true, // the client's tests and examples import it by its package name
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:core'] },
            { sourceTag: 'scope:conformance', onlyDependOnLibsWithTags: ['scope:conformance', 'scope:client'] },
            { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:bench', 'scope:server', 'scope:core', 'scope:client'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: '*', notDependOnLibsWithTags: ['type:e2e'] },
          ],
        },
      ],
    },
  },
  prettier,
);
