import type { ApiDocument } from './api-spec';

/**
 * What the router and the pipeline read from an operation's entry in the spec beyond the
 * generated table: whether it needs a credential, and the values a path parameter may take.
 */
type OperationObject = { readonly security?: readonly unknown[]; readonly parameters?: readonly unknown[] };
type ParameterObject = { readonly name?: string; readonly in?: string; readonly schema?: { readonly enum?: readonly unknown[] } };

function operationOf(document: ApiDocument, path: string, method: string): OperationObject {
  const operation = document.paths[path]?.[method] as OperationObject | undefined;
  if (!operation) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`);
  return operation;
}

/** An operation whose `security` is an empty list (version discovery) is answered without any credential. */
export function isAnonymousOperation(document: ApiDocument, path: string, method: string): boolean {
  const security = operationOf(document, path, method).security ?? (document['security'] as readonly unknown[] | undefined);
  return Array.isArray(security) && security.length === 0;
}

/**
 * The path parameters whose schema is an `enum` (`version_id`: `v1.0`), with their values: the
 * router matches such a segment only for these values, so any other is an unknown path (404)
 * rather than a route with a bad parameter.
 */
export function pathParameterValues(document: ApiDocument, path: string, method: string): Readonly<Record<string, readonly string[]>> {
  const item = document.paths[path] as { parameters?: readonly unknown[] } | undefined;
  const components = (document['components'] as { parameters?: Record<string, ParameterObject> } | undefined)?.parameters ?? {};
  const resolve = (parameter: unknown): ParameterObject => {
    const ref = (parameter as { $ref?: unknown }).$ref;
    if (typeof ref !== 'string') return parameter as ParameterObject;
    const name = /^#\/components\/parameters\/([^/]+)$/.exec(ref)?.[1];
    const target = name === undefined ? undefined : components[name];
    if (!target) throw new Error(`${method.toUpperCase()} ${path}: unresolved reference ${ref}`);
    return target;
  };
  const values: Record<string, readonly string[]> = {};
  for (const parameter of [...(item?.parameters ?? []), ...(operationOf(document, path, method).parameters ?? [])].map(resolve)) {
    const allowed = parameter.schema?.enum;
    if (parameter.in === 'path' && parameter.name && allowed) values[parameter.name] = allowed.map(String);
  }
  return values;
}
