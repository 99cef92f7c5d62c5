import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** This package's version, from its package.json (one level up from both src/ and dist/). */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')) as { version: string }).version;
