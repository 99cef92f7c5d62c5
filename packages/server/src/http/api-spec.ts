import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SPEC_PATH } from '../runtime/spec-path';

/** An OpenAPI 3 document, as far as the server reads it: the paths of its operations. */
export interface ApiDocument {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly [key: string]: unknown;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

let kmsSpec: ApiDocument | undefined;

/** spec/kms.yaml, read once per process. */
export function loadKmsSpec(): ApiDocument {
  kmsSpec ??= parse(readFileSync(SPEC_PATH, 'utf8')) as ApiDocument;
  return kmsSpec;
}

/**
 * The document with one operation left: its path item keeps its own parameters and loses
 * every other method, every other path is gone, and components keep only what the operation
 * references (directly or through other components). A validator given this slice matches
 * every request against one route, and compiles only that operation's schemas.
 */
export function operationSlice(document: ApiDocument, path: string, method: string): ApiDocument {
  const item = document.paths[path];
  if (!item?.[method]) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`);
  const kept = Object.fromEntries(Object.entries(item).filter(([key]) => !HTTP_METHODS.has(key) || key === method));
  const components = (document['components'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const used: Record<string, Record<string, unknown>> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      const ref = key === '$ref' && typeof child === 'string' ? /^#\/components\/([^/]+)\/([^/]+)$/.exec(child) : null;
      if (ref) {
        const [, kind, name] = ref as unknown as [string, string, string];
        if (used[kind]?.[name] !== undefined) continue;
        const target = components[kind]?.[name];
        if (target === undefined) throw new Error(`${method.toUpperCase()} ${path}: unresolved reference ${child}`);
        (used[kind] ??= {})[name] = target;
        visit(target);
      } else {
        visit(child);
      }
    }
  };
  visit(kept);
  // Security schemes are named, not referenced; they are few.
  if (components['securitySchemes']) used['securitySchemes'] = components['securitySchemes'];
  return { ...document, paths: { [path]: kept }, components: used };
}
