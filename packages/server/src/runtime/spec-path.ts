import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The copy the build puts in the package (dist/spec/kms.yaml), so an installed server carries the spec it enforces. */
export const SHIPPED_SPEC_PATH = resolve(__dirname, '../spec/kms.yaml');
/** spec/kms.yaml of this repository, for runs from the sources (src/ has no copy). */
const REPOSITORY_SPEC_PATH = resolve(__dirname, '../../../../spec/kms.yaml');

/**
 * The spec the server enforces (and serves): its own shipped copy when it runs from dist/, the
 * repository's when it runs from src/ (tests). Never a spec/kms.yaml found elsewhere on disk.
 */
export const SPEC_PATH = existsSync(SHIPPED_SPEC_PATH) ? SHIPPED_SPEC_PATH : REPOSITORY_SPEC_PATH;
