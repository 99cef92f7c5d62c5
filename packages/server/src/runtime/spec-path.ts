import { resolve } from 'node:path';

/** spec/kms.yaml, read at runtime by express-openapi-validator (same depth from src/runtime/ and dist/runtime/). */
export const SPEC_PATH = resolve(__dirname, '../../../../spec/kms.yaml');
