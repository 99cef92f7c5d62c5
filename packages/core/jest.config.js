/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // The limit only stops a hung test: the PostgreSQL suites take several seconds on a loaded
  // 2-core machine, and no test may fail on wall-clock time.
  testTimeout: 60_000,
};
