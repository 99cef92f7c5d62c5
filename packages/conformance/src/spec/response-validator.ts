import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OperationId } from '@openkms/client';
import type { LoadedSpec, OpenApiDocument } from './load-spec';

/** The spec's operationIds, as the generated client names them. */
export type { OperationId };

/** Base URI the spec's component schemas are registered under in ajv. */
const SCHEMAS_ID = 'https://openkms.invalid/spec/components.json';

/**
 * Judges each response against the spec: the status must be declared for the operation,
 * the content type must be the declared one, and the body must match the declared schema.
 * Requests that match no operation (unknown route, wrong method) are judged against
 * ErrorResponse, the body the spec promises for every non-2xx.
 */
export class ResponseValidator {
  readonly #document: OpenApiDocument;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #strict: boolean;

  /**
   * `strict` (default): every rule of the spec, OpenKMS's choices included (the REFERENCE level).
   * Lenient (MUST and SHOULD checks): what the documents fix, without our choices; see `lenientSchemas`.
   */
  constructor(spec: LoadedSpec, options: { readonly strict?: boolean } = {}) {
    this.#document = spec.document;
    this.#strict = options.strict !== false;
    // strict: unknown keywords, formats and ambiguous schemas are errors, not silently ignored.
    this.#ajv = new Ajv({ strict: true, allErrors: true, validateFormats: true });
    addFormats(this.#ajv);
    // OpenAPI annotations (example, x-*) are not JSON Schema keywords; declare them so strict mode accepts them.
    for (const keyword of annotationKeywords(spec.document.components.schemas)) this.#ajv.addKeyword(keyword);
    const schemas = options.strict === false ? lenientSchemas(spec.document.components.schemas) : spec.document.components.schemas;
    this.#ajv.addSchema({ $id: SCHEMAS_ID, definitions: rewriteRefs(schemas) });
  }

  /** The problems with this response, or an empty list when the spec allows it. */
  validate(operation: OperationId | undefined, status: number, contentType: string | null, text: string): string[] {
    if (!this.#strict && operation && status === 200 && this.#answersNoContent(operation)) return emptyObjectProblems(contentType, text);
    const declared = operation ? this.#declaredResponse(operation, status) : this.#errorResponseFor(status);
    if (typeof declared === 'string') return [declared];
    if (!declared) return [];
    if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
      return [`status ${status}: content type is ${contentType ?? '(none)'}, the spec declares application/json`];
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`status ${status}: body is not JSON (${text.length} bytes)`];
    }
    const validate = this.#compile(declared.schemaRef);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `status ${status}: body${e.instancePath || ''} ${e.message ?? 'is invalid'} (${declared.schemaRef})`,
    );
  }

  /** Names of response fields the spec marks `x-sensitive`, which a report must never show. */
  sensitiveFields(): string[] {
    const names = new Set<string>();
    for (const schema of Object.values(this.#document.components.schemas)) {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, property] of Object.entries(properties)) if (property['x-sensitive'] === true) names.add(name);
    }
    return [...names];
  }

  #declaredResponse(operation: OperationId, status: number): { schemaRef: string } | string | undefined {
    const found = findOperation(this.#document, operation);
    if (!found) return `the spec has no operation ${operation}`;
    const responses = (found.responses ?? {}) as Record<string, Record<string, unknown>>;
    let response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!response) return `status ${status} is not declared for ${operation} (declared: ${Object.keys(responses).join(', ')})`;
    if (typeof response.$ref === 'string') {
      const name = refName(response.$ref, '#/components/responses/');
      response = this.#document.components.responses?.[name] ?? {};
    }
    const content = response.content as Record<string, { schema?: { $ref?: string } }> | undefined;
    if (!content) return undefined;
    const schema = content['application/json']?.schema;
    if (!schema?.$ref) return `status ${status} of ${operation} declares no application/json schema`;
    return { schemaRef: refName(schema.$ref, '#/components/schemas/') };
  }

  /**
   * Whether the operation's success is 204 without a body (the tag changes). The current API
   * reference answers 204; older revisions answered 200 with `{}`, which the lenient level accepts.
   */
  #answersNoContent(operation: OperationId): boolean {
    const responses = (findOperation(this.#document, operation)?.responses ?? {}) as Record<string, Record<string, unknown>>;
    return responses['204'] !== undefined && responses['200'] === undefined;
  }

  #errorResponseFor(status: number): { schemaRef: string } | string {
    if (status >= 200 && status < 300) return `status ${status} for a request that matches no operation of the spec`;
    return { schemaRef: 'ErrorResponse' };
  }

  #compile(schemaName: string): ValidateFunction {
    let validate = this.#compiled.get(schemaName);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `${SCHEMAS_ID}#/definitions/${schemaName}` });
      this.#compiled.set(schemaName, validate);
    }
    return validate;
  }
}

/** The problems of a 200 that stands for "no content": anything but an empty JSON object. */
function emptyObjectProblems(contentType: string | null, text: string): string[] {
  if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType))
    return [`status 200 (for 204): content type is ${contentType ?? '(none)'}`];
  try {
    const body = JSON.parse(text) as unknown;
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return [];
  } catch {
    // reported below
  }
  return ['status 200 (for 204): the body is not the empty object {} of the older API revisions'];
}

export function findOperation(
  document: OpenApiDocument,
  operationId: string,
): (Record<string, unknown> & { path: string; method: string }) | undefined {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation && typeof operation === 'object' && (operation as { operationId?: unknown }).operationId === operationId) {
        return { ...(operation as Record<string, unknown>), path, method };
      }
    }
  }
  return undefined;
}

/**
 * The response schemas without OpenKMS's own choices: fields beyond those the spec lists are
 * allowed (newer API revisions add response fields, e.g. key_spec, keystore_id), hexadecimal may
 * be lower case (the documents say "hexadecimal"; only their examples are upper case), and a
 * domain_id is any non-empty string (the documents show one example, not a format).
 */
export function lenientSchemas(schemas: Record<string, unknown>): Record<string, unknown> {
  const relaxed = JSON.parse(
    JSON.stringify(schemas, (key, inner: unknown) => {
      if (key === 'additionalProperties' && inner === false) return undefined;
      if (key === 'pattern' && typeof inner === 'string') return inner.split('[0-9A-F]').join('[0-9A-Fa-f]');
      return inner;
    }),
  ) as Record<string, Record<string, unknown>>;
  if (relaxed.DomainId) relaxed.DomainId = { type: 'string', minLength: 1, description: relaxed.DomainId.description };
  return relaxed;
}

function refName(ref: string, prefix: string): string {
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref}: only ${prefix}* is resolved`);
  return ref.slice(prefix.length);
}

/** Points `#/components/schemas/X` at the `definitions` of the schema registered in ajv. */
function rewriteRefs(value: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (key, inner: unknown) =>
      key === '$ref' && typeof inner === 'string' ? `${SCHEMAS_ID}#/definitions/${refName(inner, '#/components/schemas/')}` : inner,
    ),
  ) as Record<string, unknown>;
}

function annotationKeywords(value: unknown, found = new Set<string>(['example'])): Set<string> {
  if (Array.isArray(value)) for (const item of value) annotationKeywords(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.startsWith('x-')) found.add(key);
      annotationKeywords(inner, found);
    }
  }
  return found;
}
