/** The largest piece of a non-JSON error body kept in `errorMsg` (proxies can answer with whole HTML pages). */
const MAX_RAW_MESSAGE = 200;

/**
 * Every non-2xx answer of the KMS API, as one typed error: the HTTP status, the KMS
 * `error_code` / `error_msg` from the `{"error": {...}}` body (or the API gateway's flat body
 * `{"error_code": "APIGW.0301", …}` of a refused signature), and the server's request ID
 * (the `X-Request-Id` header) to quote in a support ticket.
 */
export class KmsError extends Error {
  override readonly name = 'KmsError';

  constructor(
    /** HTTP status, e.g. 400, 403, 404, 429, 500. */
    readonly status: number,
    /** The KMS code, e.g. `KMS.1104`; undefined when the body was not the KMS error body (a proxy's HTML page, say). */
    readonly errorCode: string | undefined,
    /** The server's message, or a description of the body that was not a KMS error body. */
    readonly errorMsg: string,
    /** `X-Request-Id` of the response, when the server sent one. */
    readonly requestId: string | undefined,
  ) {
    super(`${errorCode ?? `HTTP ${status}`}: ${errorMsg}${requestId ? ` (request ${requestId})` : ''}`);
  }

  /** Reads a failed response's body (whatever it holds) into a KmsError. */
  static async fromResponse(response: Response): Promise<KmsError> {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    let text: string;
    try {
      text = await response.text();
    } catch {
      text = '';
    }
    const body = parseErrorBody(text);
    if (body) return new KmsError(response.status, body.error_code, body.error_msg, requestId);
    const raw = text.trim().replace(/\s+/g, ' ');
    const message = raw
      ? `the response body is not a KMS error body: ${raw.length > MAX_RAW_MESSAGE ? `${raw.slice(0, MAX_RAW_MESSAGE)}…` : raw}`
      : `the response has no body (${response.statusText || 'no status text'})`;
    return new KmsError(response.status, undefined, message, requestId);
  }
}

/**
 * The KMS body `{"error": {"error_code", "error_msg"}}`, or the API gateway's flat
 * `{"error_code", "error_msg", "request_id"}` (its 401 `APIGW.0301` when a signature is refused).
 */
function parseErrorBody(text: string): { error_code: string; error_msg: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const nested = (parsed as { error?: unknown }).error;
  const error = (nested !== null && typeof nested === 'object' ? nested : parsed) as { error_code?: unknown; error_msg?: unknown };
  if (typeof error.error_code !== 'string') return undefined;
  return { error_code: error.error_code, error_msg: typeof error.error_msg === 'string' ? error.error_msg : '' };
}
