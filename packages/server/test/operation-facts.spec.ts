import { loadKmsSpec, type ApiDocument } from '../src/http/api-spec';
import { isAnonymousOperation, pathParameterValues } from '../src/http/operation-facts';
import { RouteTable } from '../src/http/route-table';
import type { OperationDefinition } from '../src/generated/runtime';

describe('what the router and pipeline read from the spec', () => {
  const spec = loadKmsSpec();

  it('only version discovery asks for no credential; every operation under a project asks for one', () => {
    const anonymous: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item).filter((key) => ['get', 'post'].includes(key))) {
        if (isAnonymousOperation(spec, path, method)) anonymous.push(`${method.toUpperCase()} ${path}`);
        else expect(path).toMatch(/^\/v1\.0\/\{project_id\}\//);
      }
    }
    expect(anonymous.sort()).toEqual(['GET /', 'GET /{version_id}']);
  });

  it('reads enum path parameters (resolving $ref), and none elsewhere', () => {
    expect(pathParameterValues(spec, '/{version_id}', 'get')).toEqual({ version_id: ['v1.0'] });
    expect(pathParameterValues(spec, '/v1.0/{project_id}/kms/create-key', 'post')).toEqual({});
    const document: ApiDocument = {
      openapi: '3.0.3',
      paths: {
        '/{a}/{b}': {
          parameters: [{ $ref: '#/components/parameters/A' }],
          get: { parameters: [{ name: 'b', in: 'path', schema: { enum: ['x', 'y'] } }] },
        },
      },
      components: { parameters: { A: { name: 'a', in: 'path', schema: { enum: ['v1'] } } } },
    };
    expect(pathParameterValues(document, '/{a}/{b}', 'get')).toEqual({ a: ['v1'], b: ['x', 'y'] });
  });

  it('the route table refuses two paths that give one parameter different values', () => {
    const route = (operationId: string, path: string, values?: Record<string, string[]>) => ({
      operation: { operationId, method: 'get', path } as OperationDefinition,
      ...(values && { pathParameterValues: values }),
    });
    expect(() => new RouteTable([route('a', '/{v}/x', { v: ['1'] }), route('b', '/{v}/y', { v: ['2'] })])).toThrow('allows other values');
    const table = new RouteTable([route('a', '/{v}/x', { v: ['1'] }), route('b', '/{v}/y', { v: ['1'] })]);
    expect(table.lookup('GET', '/1/y')).toMatchObject({ kind: 'operation', pathParams: { v: '1' } });
    expect(table.lookup('GET', '/2/y')).toEqual({ kind: 'not-found' });
  });
});
