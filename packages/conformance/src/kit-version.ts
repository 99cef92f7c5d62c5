import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The kit's name and version from its package.json (one level up from both src/ and dist/). */
export const KIT = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')) as { name: string; version: string };
