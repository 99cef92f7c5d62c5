import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/** The copy the build puts next to the compiled code (dist/spec/kms.yaml), so a packed kit carries its oracle. */
const SHIPPED_SPEC_PATH = resolve(__dirname, 'kms.yaml');
/** spec/kms.yaml of this repository, for runs from the sources (src/spec/ has no copy). */
const REPOSITORY_SPEC_PATH = resolve(__dirname, '../../../../spec/kms.yaml');

/**
 * The spec the kit judges by when `--spec` is not given: its own shipped copy first, so an
 * installed kit never picks up whatever `spec/kms.yaml` happens to sit above node_modules.
 */
export const DEFAULT_SPEC_PATH = existsSync(SHIPPED_SPEC_PATH) ? SHIPPED_SPEC_PATH : REPOSITORY_SPEC_PATH;

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
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the spec ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const document = parse(bytes.toString('utf8')) as OpenApiDocument;
  if (!document || typeof document.openapi !== 'string' || !document.paths || !document.components?.schemas) {
    throw new Error(`${path} is not an OpenAPI 3 document with paths and components.schemas`);
  }
  return { path: resolve(path), sha256: createHash('sha256').update(bytes).digest('hex'), document };
}
