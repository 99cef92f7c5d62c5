/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Each suite starts a reference server and binds ports; two workers fit CI's two cores.
  maxWorkers: 2,
  // The suites run the whole kit against live servers (seconds each). The limit only stops a hung
  // run; it is far above any normal duration so a slow CI machine never fails a test on time.
  testTimeout: 300_000,
};
