import { sendRequest } from './http/kms-http';
import { signedRequest } from './http/signed-request';
import type { Caller } from './checks/context';
import { isNoSuchRoute } from './checks/context';
import type { KeyUsage } from './report/report';

/** The shortest waiting period the API reference allows (schedule-key-deletion, pending_days 7 to 1096). */
const PENDING_DAYS = '7';

export type CleanupResult = KeyUsage['cleanup'] & { readonly requests?: number };

/**
 * Schedules the deletion of every key the run created (schedule-key-deletion, API reference),
 * so repeated runs do not exhaust the key quota. The first "no such route" answer means the
 * server has no such operation: reported as not supported, and nothing more is sent.
 */
export async function cleanUpKeys(
  baseUrl: string,
  keys: readonly { caller: Caller; keyId: string }[],
  timeoutMs: number,
): Promise<CleanupResult> {
  if (keys.length === 0) return { outcome: 'nothing-to-do', scheduled: 0, failed: 0, message: 'the run created no keys', requests: 0 };
  let scheduled = 0;
  let requests = 0;
  const failures: string[] = [];
  for (const { caller, keyId } of keys) {
    requests += 1;
    let status: number;
    let alreadyPending = false;
    try {
      const request = {
        method: 'POST',
        path: `/v1.0/${encodeURIComponent(caller.projectId)}/kms/schedule-key-deletion`,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key_id: keyId, pending_days: PENDING_DAYS }),
      };
      // The credential that made the key: its access key signature, or its token.
      const authenticated = caller.signer
        ? await signedRequest(baseUrl, request, caller.projectId, caller.signer)
        : { ...request, headers: { ...request.headers, 'X-Auth-Token': caller.token ?? '' } };
      const response = await sendRequest(baseUrl, authenticated, timeoutMs);
      if (scheduled === 0 && failures.length === 0 && isNoSuchRoute(response)) {
        const message = `cleanup not supported: schedule-key-deletion answered ${response.status}; ${keys.length} keys stay`;
        return { outcome: 'not-supported', scheduled: 0, failed: 0, message, requests };
      }
      status = response.status;
      alreadyPending =
        status === 400 && (response.json as { error?: { error_code?: unknown } } | undefined)?.error?.error_code === 'KMS.0210';
    } catch (error) {
      status = 0;
      failures.push(`${keyId}: no response (${(error as Error).message})`);
      continue;
    }
    // 400 KMS.0210: a lifecycle check scheduled this key's deletion already.
    if (status === 200 || alreadyPending) scheduled += 1;
    else failures.push(`${keyId}: ${status}`);
  }
  const message =
    failures.length === 0
      ? `scheduled the deletion of all ${scheduled} keys (pending_days ${PENDING_DAYS})`
      : `scheduled ${scheduled} of ${keys.length} deletions; refused: ${failures.slice(0, 5).join(', ')}${failures.length > 5 ? ', …' : ''}`;
  return { outcome: failures.length === 0 ? 'scheduled' : 'partial', scheduled, failed: failures.length, message, requests };
}
