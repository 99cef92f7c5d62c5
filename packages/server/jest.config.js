/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // test/after-all runs alone after every other test target (jest.after-all.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/after-all/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Live-server tests spawn processes and bind ports; two workers fit CI's two cores.
  maxWorkers: 2,
};
