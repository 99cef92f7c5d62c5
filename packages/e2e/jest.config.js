/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Every suite runs a live reference server (and some spawn npm, tsc or the kit); two workers fit CI's two cores.
  maxWorkers: 2,
  // The kit's suites run it whole against live servers (seconds each). The limit only stops a hung
  // run; it is far above any normal duration so a slow CI machine never fails a test on time.
  testTimeout: 300_000,
};
