/**
 * The access key the test launcher gives each tenant (`tenant.accessKeyId`, `tenant.secretKey`),
 * read without depending on the launcher's type, so the AK/SK suites compile whether or not the
 * launcher of this tree has access keys yet, and fail with this clear message when it has not.
 */
export interface TenantAccessKey {
  readonly accessKeyId: string;
  readonly secretKey: string;
}

export function accessKeyOf(tenant: object): TenantAccessKey {
  const { accessKeyId, secretKey } = tenant as { accessKeyId?: unknown; secretKey?: unknown };
  if (typeof accessKeyId !== 'string' || typeof secretKey !== 'string') {
    throw new Error('startTestServer gave the tenant no access key (tenant.accessKeyId / tenant.secretKey)');
  }
  return { accessKeyId, secretKey };
}
