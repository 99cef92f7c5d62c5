/** What the example suites do against the server they started: plain fetch calls, as a user's tests would. */
export interface Caller {
  readonly url: string;
  readonly projectId: string;
  readonly token: string;
}

export async function callKms(kms: Caller, operation: string, body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${kms.url}/v1.0/${kms.projectId}/kms/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': kms.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}
