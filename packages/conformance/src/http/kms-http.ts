/** What a check asks the server: everything is explicit so checks can break any part of a request. */
export interface HttpRequest {
  readonly method: string;
  /** Path after the base URL, e.g. `/v1.0/P/kms/create-key`. */
  readonly path: string;
  /** Headers to send; a header absent here is not sent (fetch adds only its transport headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body bytes as text, or undefined for no body. */
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** The URL a request goes to: the base URL's own path prefix, then the request's path. */
export function requestUrl(baseUrl: string, path: string): URL {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  // new URL() with a path starting with "/" drops any path prefix of the base URL; keep it.
  const prefix = new URL(baseUrl).pathname.replace(/\/$/, '');
  url.pathname = `${prefix}${path}`;
  return url;
}

/** A thin fetch wrapper: one request, body read in full, with a time limit so a hung server fails one check, not the run. */
export async function sendRequest(baseUrl: string, request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const url = requestUrl(baseUrl, request.path);
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    // Bytes, not a string: fetch would add "Content-Type: text/plain" to a string body, and the
    // checks must be able to send no content type at all.
    body: request.body === undefined ? undefined : Buffer.from(request.body, 'utf8'),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), headers: response.headers, text, json };
}

/**
 * A kept-alive connection the server closed while the kit was busy (e.g. building a property's
 * generators) fails the next request with ECONNRESET before it reaches the server; one retry on a
 * fresh connection tells that apart from a server that resets on the request itself (which fails twice).
 */
export async function sendWithOneRetryOnStaleConnection(baseUrl: string, request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  try {
    return await sendRequest(baseUrl, request, timeoutMs);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET') throw error;
    return sendRequest(baseUrl, request, timeoutMs);
  }
}
