/**
 * user-quotas' resources (API reference "Querying the Quota of a User"): `CMK` (the per-project
 * key quota and its use) and `grant_per_CMK`. OpenKMS has no grants; it reports the documented
 * example's quota with nothing used, so a client reading the list finds both entries.
 */
export const GRANTS_PER_KEY_QUOTA = 100;
export const QUOTA_RESOURCE_TYPES = ['CMK', 'grant_per_CMK'] as const;
export type QuotaResourceType = (typeof QUOTA_RESOURCE_TYPES)[number];

export interface QuotaResource {
  readonly type: QuotaResourceType;
  readonly used: number;
  readonly quota: number;
}
