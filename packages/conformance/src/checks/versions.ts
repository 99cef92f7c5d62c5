import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, openkms, type Check } from './check';
import type { CheckContext } from './context';

/**
 * Version discovery (current API reference, `GET /` and `GET /{version_id}`): optional; NOT
 * IMPLEMENTED without the routes. The reference lists no request header for either (every other
 * operation lists `X-Auth-Token` as mandatory) and their paths name no project: they are for
 * callers without credentials, which the SHOULD check holds a server to.
 */

type Version = { id?: unknown; links?: unknown; version?: unknown; status?: unknown; updated?: unknown; min_version?: unknown };

const LIST = apiReference(
  'Querying the Version List (GET /): versions[] of ApiVersionDetail {id, links[] {href, rel}, version, status CURRENT|SUPPORTED|DEPRECATED, updated, min_version}',
);
const SHOW = apiReference('Querying a Specified Version (GET /{version_id}, default v1.0): version, an ApiVersionDetail');
const NO_HEADER = apiReference('Querying the Version List and Querying a Specified Version, Request Parameters: None (no X-Auth-Token)');
const STATUSES = ['CURRENT', 'SUPPORTED', 'DEPRECATED'];

/** Throws unless `version` is an ApiVersionDetail as the reference describes it. */
function ensureVersionDetail(version: Version | undefined, where: string): asserts version is Version {
  ensure(typeof version === 'object' && version !== null, `${where} is not an object`);
  ensure(typeof version.id === 'string' && version.id !== '', `${where}.id ${JSON.stringify(version.id)} is not a version ID`);
  ensure(
    typeof version.status === 'string' && STATUSES.includes(version.status),
    `${where}.status ${JSON.stringify(version.status)} is not one of ${STATUSES.join(', ')}`,
  );
  ensure(typeof version.updated === 'string', `${where}.updated is not a string`);
  ensure(Array.isArray(version.links), `${where}.links is not an array`);
  for (const link of version.links as Array<{ href?: unknown; rel?: unknown }>) {
    ensure(typeof link?.href === 'string' && typeof link.rel === 'string', `${where}.links has an entry without href and rel strings`);
  }
}

async function listedV1(c: CheckContext, credential: boolean): Promise<Version> {
  const body = expectOk<{ versions?: Version[] }>(c, await c.getRoot('/', 'listVersions', { credential }), 'GET /');
  ensure(Array.isArray(body.versions), 'versions is not an array');
  body.versions.forEach((version, index) => ensureVersionDetail(version, `versions[${index}]`));
  const v1 = body.versions.find((version) => version.id === 'v1.0');
  ensure(v1 !== undefined, `versions lists no v1.0 (ids: ${body.versions.map((v) => String(v.id)).join(', ')})`);
  return v1;
}

export const versionChecks: readonly Check[] = [
  {
    id: 'CK-VERSIONS-LIST',
    level: 'MUST',
    area: 'versions',
    title: 'GET / lists the API versions as ApiVersionDetail objects, v1.0 among them',
    authority: [LIST],
    acceptedCodes: [],
    reference: 'spec: listVersions, ListVersionsResponse',
    keys: 0,
    async run(c) {
      await listedV1(c, true);
    },
  },
  {
    id: 'CK-VERSIONS-SHOW',
    level: 'MUST',
    area: 'versions',
    title: 'GET /v1.0 describes v1.0 as GET / lists it',
    authority: [SHOW, LIST],
    acceptedCodes: [],
    reference: 'spec: showVersion, ShowVersionResponse',
    keys: 0,
    async run(c) {
      const listed = await listedV1(c, true);
      const body = expectOk<{ version?: Version }>(c, await c.getRoot('/v1.0', 'showVersion'), 'GET /v1.0');
      ensureVersionDetail(body.version, 'version');
      ensure(body.version.id === 'v1.0', `version.id is ${JSON.stringify(body.version.id)}, not v1.0`);
      for (const field of ['status', 'updated', 'version', 'min_version'] as const) {
        ensure(body.version[field] === listed[field], `version.${field} differs from GET /'s v1.0 entry`);
      }
    },
  },
  {
    id: 'CK-VERSIONS-NO-CREDENTIAL',
    level: 'SHOULD',
    area: 'versions',
    title: 'GET / and GET /v1.0 answer a caller without any credential',
    authority: [NO_HEADER],
    acceptedCodes: [],
    reference: 'spec: listVersions and showVersion (security: [])',
    keys: 0,
    async run(c) {
      await listedV1(c, false);
      expectOk(c, await c.getRoot('/v1.0', 'showVersion', { credential: false }), 'GET /v1.0 without a credential');
    },
  },
  {
    id: 'CK-REF-VERSIONS-UNKNOWN',
    level: 'REFERENCE',
    area: 'versions',
    title: 'a version the server does not serve (GET /v0.9) is an unknown path: 404 KMS.0201',
    authority: [openkms('spec/kms.yaml (showVersion: version_id, an enum; any other segment is no route)')],
    acceptedCodes: ['404 KMS.0201'],
    reference: 'spec: showVersion, parameter version_id',
    keys: 0,
    async run(c) {
      expectRejected(c, await c.getRoot('/v0.9', undefined), ['404 KMS.0201'], '404 KMS.0201', 'GET /v0.9');
    },
  },
];
