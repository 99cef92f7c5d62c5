/**
 * The suites that must run alone, after every other test target (`nx run openkms:test`): they
 * rewrite build outputs the other suites execute. See test/after-all/.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test/after-all'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  maxWorkers: 1,
};
