import { sendRequest, type HttpResponse } from './kms-http';

/** The target cannot be judged at all: unreachable, or not a KMS server. The kit exits 2 with this one line. */
export class TargetUnusable extends Error {
  override readonly name = 'TargetUnusable';
}

/** `{"error":{"error_code":…}}` (KMS), or `{"error_code":…}` as API gateways in front of the service answer. */
function isKmsErrorBody(json: unknown): boolean {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const body = json as { error?: { error_code?: unknown }; error_code?: unknown };
  return typeof body.error?.error_code === 'string' || typeof body.error_code === 'string';
}

function unreachable(baseUrl: string, timeoutMs: number, error: unknown): TargetUnusable {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  const code = err.cause?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  const known = code === undefined ? undefined : reasons[code];
  const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
  const detail = known ?? err.cause?.message ?? err.message;
  const reason = timedOut ? `no answer within ${timeoutMs} ms` : `${detail}${code ? ` (${code})` : ''}`;
  return new TargetUnusable(`cannot reach ${baseUrl}: ${reason}`);
}

/** `200 text/html "<!doctype html>…"`, for the one line that says what the target answered. */
function describe(response: HttpResponse): string {
  const snippet = response.text.length > 60 ? `${response.text.slice(0, 60)}…` : response.text;
  const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
  return `${response.status} ${response.contentType ?? 'without a content type'}${location ? ` (redirect to ${location})` : ''} ${JSON.stringify(snippet)}`;
}

/**
 * Before any check: is `baseUrl` a KMS server at all? One POST to create-key without a token (it
 * creates nothing); a KMS answers with its error body. When the body is not one (a broken KMS may
 * still be worth judging), a second POST to a path that is no KMS operation tells whether the server
 * routes KMS paths at all: a plain web server, a proxy with no upstream or a redirect answers both alike.
 */
export async function probeTarget(baseUrl: string, projectId: string, timeoutMs: number): Promise<void> {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TargetUnusable(`--base-url ${JSON.stringify(baseUrl)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetUnusable(`--base-url ${baseUrl} is not an http:// or https:// URL`);

  const probe = async (action: string) => {
    try {
      return await sendRequest(
        baseUrl,
        {
          method: 'POST',
          path: `/v1.0/${encodeURIComponent(projectId)}/kms/${action}`,
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        },
        timeoutMs,
      );
    } catch (error) {
      throw unreachable(baseUrl, timeoutMs, error);
    }
  };
  const operation = await probe('create-key');
  if (isKmsErrorBody(operation.json)) return;
  if (operation.status >= 200 && operation.status < 300 && operation.json !== undefined) return;
  const nowhere = await probe('openkms-conformance-probe-no-such-operation');
  if (nowhere.status !== operation.status) return;
  throw new TargetUnusable(
    `${baseUrl} does not look like a KMS server: POST /v1.0/${projectId}/kms/create-key answered ${describe(operation)}, not a KMS error body, ` +
      `and a path that is no KMS operation answers ${nowhere.status} too`,
  );
}
