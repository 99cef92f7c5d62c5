/** `@openkms/core/testing`: support for the tests of OpenKMS packages, not for production code. */
export {
  createTestSchema,
  DEFAULT_TEST_POSTGRES_URL,
  testPostgresUrl,
  urlWithSearchPath,
  withTestDatabase,
  type TestSchema,
} from './postgres';
