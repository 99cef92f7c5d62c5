import type { OperationDefinition } from '../generated/runtime';

export type RouteMatch<Id extends string> =
  | { readonly kind: 'operation'; readonly operation: OperationDefinition<Id>; readonly pathParams: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

/**
 * Matches a request against the generated route table before anything else runs, so an
 * unknown route (404 KMS.0201) or method (405 KMS.0215) is answered first, whatever the
 * token or body.
 */
export function createRouteMatcher<Id extends string>(operations: readonly OperationDefinition<Id>[]) {
  const compiled = operations.map((operation) => {
    const names: string[] = [];
    const source = operation.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const param = /^\{([^}]+)\}$/.exec(part);
        if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]!);
        return '([^/]+)';
      })
      .join('');
    return { operation, names, pattern: new RegExp(`^${source}$`) };
  });

  return function match(method: string, path: string): RouteMatch<Id> {
    const allow: string[] = [];
    for (const { operation, names, pattern } of compiled) {
      const found = pattern.exec(path);
      if (!found) continue;
      if (operation.method !== method.toLowerCase()) {
        allow.push(operation.method.toUpperCase());
        continue;
      }
      const pathParams: Record<string, string> = {};
      names.forEach((name, index) => {
        pathParams[name] = safeDecode(found[index + 1]!);
      });
      return { kind: 'operation', operation, pathParams };
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
