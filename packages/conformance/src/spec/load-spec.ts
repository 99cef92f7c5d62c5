import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/** spec/kms.yaml of this repository: same depth from src/spec/ and dist/spec/. */
export const DEFAULT_SPEC_PATH = resolve(__dirname, '../../../../spec/kms.yaml');

/** The parts of an OpenAPI 3.0 document the kit reads; everything else stays `unknown`. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: {
    readonly schemas: Record<string, Record<string, unknown>>;
    readonly responses?: Record<string, Record<string, unknown>>;
  };
}

export interface LoadedSpec {
  readonly path: string;
  /** SHA-256 of the file's bytes, so a report names exactly the oracle it was judged by. */
  readonly sha256: string;
  readonly document: OpenApiDocument;
}

export function loadSpec(path: string = DEFAULT_SPEC_PATH): LoadedSpec {
  const bytes = readFileSync(path);
  const document = parse(bytes.toString('utf8')) as OpenApiDocument;
  if (!document || typeof document.openapi !== 'string' || !document.paths || !document.components?.schemas) {
    throw new Error(`${path} is not an OpenAPI 3 document with paths and components.schemas`);
  }
  return { path: resolve(path), sha256: createHash('sha256').update(bytes).digest('hex'), document };
}
