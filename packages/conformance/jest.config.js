/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The kit's runs against live servers are in packages/e2e.
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Two workers fit CI's two cores.
  maxWorkers: 2,
  // The limit only stops a hung run; it is far above any normal duration so a slow CI machine
  // never fails a test on time.
  testTimeout: 300_000,
};
