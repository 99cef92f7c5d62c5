import type { OperationDefinition } from '../generated/runtime';

export type RouteMatch<T> =
  | { readonly kind: 'operation'; readonly route: T; readonly pathParams: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

/** One path segment's place in the table: literal children by text, at most one parameter child. */
interface Node<T> {
  readonly literals: Map<string, Node<T>>;
  /** `values`: the only (decoded) segments the parameter matches, when the spec gives it an enum. */
  param?: { readonly name: string; readonly node: Node<T>; readonly values?: ReadonlySet<string> };
  /** Upper-case method -> route, for paths that end here. */
  readonly methods: Map<string, T>;
}

const newNode = <T>(): Node<T> => ({ literals: new Map(), methods: new Map() });

/**
 * The operations' paths as a tree of segments (`/v1.0/{project_id}/kms/create-key`), so a
 * lookup walks the request's few segments whatever the number of operations. Matching is
 * exact (case-sensitive, no trailing slash); a parameter matches one non-empty segment (one of
 * its enum's values, when the spec gives it one) and is URI-decoded when it can be (a malformed
 * escape is left as sent, for the validator to refuse).
 */
export class RouteTable<
  T extends { readonly operation: OperationDefinition; readonly pathParameterValues?: Readonly<Record<string, readonly string[]>> },
> {
  readonly #root: Node<T> = newNode();

  constructor(routes: Iterable<T>) {
    for (const route of routes) this.#add(route);
  }

  #add(route: T): void {
    const { path, method, operationId } = route.operation;
    let node = this.#root;
    for (const segment of path.split('/').slice(1)) {
      const param = /^\{([^{}/]+)\}$/.exec(segment);
      if (param) {
        if (node.param && node.param.name !== param[1]) {
          throw new Error(`${operationId}: path parameter {${param[1]}} where another path has {${node.param.name}}`);
        }
        const allowed = route.pathParameterValues?.[param[1]!];
        const values = allowed ? new Set(allowed) : undefined;
        if (node.param && !sameValues(node.param.values, values)) {
          throw new Error(`${operationId}: path parameter {${param[1]}} allows other values than on another path`);
        }
        node.param ??= { name: param[1]!, node: newNode(), ...(values && { values }) };
        node = node.param.node;
      } else {
        let next = node.literals.get(segment);
        if (!next) node.literals.set(segment, (next = newNode()));
        node = next;
      }
    }
    const verb = method.toUpperCase();
    if (node.methods.has(verb)) throw new Error(`${operationId}: ${verb} ${path} is mounted twice`);
    node.methods.set(verb, route);
  }

  lookup(method: string, path: string): RouteMatch<T> {
    if (path.charCodeAt(0) !== 47 /* '/' */) return { kind: 'not-found' };
    const segments = path.split('/');
    // A path serving this method wins over a literal one that does not (DELETE .../tags/action
    // deletes the tag `action`; POST .../tags/action is the batch); else 405 from the first match.
    let params: Array<[string, string]> = [];
    let node = find(this.#root, segments, 1, params, (candidate) => candidate.methods.has(method));
    if (!node) {
      params = [];
      node = find(this.#root, segments, 1, params, (candidate) => candidate.methods.size > 0);
    }
    if (!node) return { kind: 'not-found' };
    const route = node.methods.get(method);
    if (!route) return { kind: 'method-not-allowed', allow: [...node.methods.keys()] };
    const pathParams: Record<string, string> = {};
    for (const [name, value] of params) pathParams[name] = safeDecode(value);
    return { kind: 'operation', route, pathParams };
  }
}

/** The node `segments[index..]` leads to that `accepts` takes; literals before parameters. */
function find<T>(
  node: Node<T>,
  segments: readonly string[],
  index: number,
  params: Array<[string, string]>,
  accepts: (node: Node<T>) => boolean,
): Node<T> | undefined {
  if (index === segments.length) return accepts(node) ? node : undefined;
  const segment = segments[index]!;
  const literal = node.literals.get(segment);
  if (literal) {
    const found = find(literal, segments, index + 1, params, accepts);
    if (found) return found;
  }
  if (node.param && segment !== '' && (!node.param.values || node.param.values.has(safeDecode(segment)))) {
    params.push([node.param.name, segment]);
    const found = find(node.param.node, segments, index + 1, params, accepts);
    if (found) return found;
    params.pop();
  }
  return undefined;
}

function sameValues(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && [...a].every((value) => b.has(value));
}

function safeDecode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
