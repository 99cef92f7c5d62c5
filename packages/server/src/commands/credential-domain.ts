import { randomBytes } from 'node:crypto';

/** A credential's grant, whatever its kind: the domain and the projects it may use. */
export interface Grant {
  readonly domainId: string;
  readonly projects: readonly string[];
}

/**
 * The domain a new credential for `projects` belongs to when none is given: the domain of the
 * existing credentials that grant any of those projects (a project lives in one domain); else,
 * when every existing credential has one domain, that one; else, with no credential yet, a new
 * one. Throws when that is ambiguous.
 */
export function chooseDomain(projects: readonly string[], existing: readonly Grant[]): { domainId: string; reason: string } {
  const ofProjects = new Set(existing.filter((grant) => grant.projects.some((p) => projects.includes(p))).map((grant) => grant.domainId));
  if (ofProjects.size === 1) return { domainId: [...ofProjects][0]!, reason: 'the domain of existing credentials for these projects' };
  if (ofProjects.size > 1) {
    throw new Error(`these projects are granted in several domains (${[...ofProjects].join(', ')}); give --domain-id`);
  }
  const all = new Set(existing.map((grant) => grant.domainId));
  if (all.size === 1) return { domainId: [...all][0]!, reason: 'the only domain of the existing credentials' };
  if (all.size === 0) return { domainId: randomBytes(16).toString('hex'), reason: 'a new domain (there are no credentials yet)' };
  throw new Error(`existing credentials span several domains (${[...all].join(', ')}); give --domain-id`);
}
