import type { RequestSigner } from '@openkms/client';
import { requestUrl, type HttpRequest } from './kms-http';

/**
 * The request signed with an access key (SDK-HMAC-SHA256) by the client's signer, the one
 * `@openkms/client` signs with, over the exact URL, headers and body the kit sends. Like the
 * official SDKs it sends and signs `X-Project-Id` (unless the request sets one itself).
 */
export async function signedRequest(baseUrl: string, request: HttpRequest, projectId: string, signer: RequestSigner): Promise<HttpRequest> {
  const hasProjectHeader = Object.keys(request.headers).some((name) => name.toLowerCase() === 'x-project-id');
  const headers = hasProjectHeader ? { ...request.headers } : { ...request.headers, 'X-Project-Id': projectId };
  const url = requestUrl(baseUrl, request.path).href;
  const signature = await signer.sign({ method: request.method, url, headers, body: request.body }, new Date());
  return { ...request, headers: { ...headers, ...signature } };
}
