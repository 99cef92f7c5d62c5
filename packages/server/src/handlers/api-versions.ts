import type { ApiVersionDetail } from '../generated/models';

/**
 * The API versions this server serves, as version discovery answers them (spec: listVersions,
 * showVersion). One: v1.0, current, without microversions, dated as the API reference's example.
 */
const VERSIONS = [{ id: 'v1.0', status: 'CURRENT', updated: '2016-10-29T02:00:00Z' }] as const;

/** One version's description; its `self` link is the version's base URL on the host the caller addressed. */
function describeVersion(version: (typeof VERSIONS)[number], origin: string | undefined): ApiVersionDetail {
  return {
    id: version.id,
    links: [{ rel: 'self', href: `${origin ?? ''}/${version.id}/` }],
    version: '',
    status: version.status,
    updated: version.updated,
    min_version: '',
  };
}

export function describeVersions(origin: string | undefined): ApiVersionDetail[] {
  return VERSIONS.map((version) => describeVersion(version, origin));
}

/** The version `id` describes; undefined for one this server does not serve (the router answers those 404 first). */
export function describeVersionById(id: string, origin: string | undefined): ApiVersionDetail | undefined {
  const version = VERSIONS.find((candidate) => candidate.id === id);
  return version && describeVersion(version, origin);
}
