/**
 * The AK/SK scenario (issue 15): create-datakey signed with an access key (SDK-HMAC-SHA256)
 * against the same requests with a token, on one server, to judge what verifying a signature
 * costs the server.
 */
import { createRequestSigner } from '@openkms/client';
import { spawnNode } from '@openkms/server/testing';
import type { BodyWithHeaders } from './load';
import { openkmsEnv, SERVER_BIN, type OpenkmsSetup } from './openkms-server';
import type { Target } from './processes';
import { notRun, SCENARIO, type MeasuredRow, type Row } from './scenarios';
import { combine } from './wide-spec-scenario';

export interface BenchAccessKey {
  readonly accessKeyId: string;
  readonly secretKey: string;
}

/**
 * An access key for the bench's project and domain, made by the server's own command on the run's
 * store (`openkms-server access-key create … --output json`), as a user makes one.
 */
export async function createBenchAccessKey(setup: OpenkmsSetup, projectId: string, domainId: string): Promise<BenchAccessKey> {
  const args = [
    ...[SERVER_BIN, 'access-key', 'create', '--name', 'bench', '--project', projectId, '--domain-id', domainId, '--output', 'json'],
    ...['--data-dir', setup.dataDir, '--token-file', setup.tokenFile],
  ];
  const command = spawnNode(args, { env: openkmsEnv(setup) });
  const exit = await command.exited;
  if (exit.code !== 0) {
    // stderr only: stdout would hold the secret key of a half-successful run.
    const why = command.stderr().trim().split('\n')[0] ?? '';
    throw new Error(`openkms-server access-key create failed (exit ${exit.code ?? exit.signal}): ${why}`);
  }
  const created = JSON.parse(command.stdout()) as { access_key_id?: unknown; secret_key?: unknown };
  if (typeof created.access_key_id !== 'string' || typeof created.secret_key !== 'string') {
    throw new Error('openkms-server access-key create printed no access_key_id and secret_key');
  }
  return { accessKeyId: created.access_key_id, secretKey: created.secret_key };
}

/**
 * `count` requests signed ahead of the load, with the client's signer (`@openkms/client`, judged
 * against the official SDK core's signer in its tests), each body with its own signature, served
 * in turn during the run. Signed ahead because the load generator shares the machine's cores
 * with the server: signing during the run would slow the generator and charge the client's cost
 * to the server. The signatures stay valid for the server's date window (15 minutes), far longer
 * than a run, and a signature may be sent again within it.
 */
export async function presignedRequests(
  url: string,
  path: string,
  body: () => string,
  accessKey: BenchAccessKey,
  projectId: string,
  count: number,
  date: Date = new Date(),
): Promise<BodyWithHeaders[]> {
  const signer = createRequestSigner({ accessKey: accessKey.accessKeyId, secretKey: accessKey.secretKey });
  const requestUrl = new URL(path, url).href;
  const headers = { 'Content-Type': 'application/json', Host: new URL(url).host, 'X-Project-Id': projectId };
  const requests: BodyWithHeaders[] = [];
  for (let n = 0; n < count; n++) {
    const text = body();
    const signature = await signer.sign({ method: 'POST', url: requestUrl, headers, body: text }, date);
    requests.push({ body: text, headers: { ...headers, ...signature } });
  }
  return requests;
}

/** The presigned requests one after another, round and round. */
export function inTurn(requests: readonly BodyWithHeaders[]): () => BodyWithHeaders {
  if (requests.length === 0) throw new Error('no presigned requests');
  let next = 0;
  return () => {
    const request = requests[next % requests.length]!;
    next += 1;
    return request;
  };
}

export type Credential = 'token' | 'access key';

/** Measures one scenario on the server for the given seconds, with that credential. */
export type MeasureWith = (scenario: string, server: Target, seconds: number, credential: Credential) => Promise<MeasuredRow>;

/**
 * The AK/SK row and the token row it is judged against, on one server, measured in turns
 * (token, AK/SK, AK/SK, token, in half-length runs) so that a machine speeding up or slowing down
 * during the runs shifts both rows alike. Without an access key (the server cannot make one),
 * the AK/SK row is "not run" with the reason, and its target not judged.
 */
export async function accessKeyRows(
  server: Target,
  seconds: number,
  accessKey: BenchAccessKey | Error,
  measure: MeasureWith,
): Promise<Row[]> {
  if (accessKey instanceof Error) return [notRun(SCENARIO.akskSigning, accessKey.message)];
  const half = Math.max(1, Math.round(seconds / 2));
  const tokenFirst = await measure(SCENARIO.tokenPaired, server, half, 'token');
  const signedFirst = await measure(SCENARIO.akskSigning, server, half, 'access key');
  const signedSecond = await measure(SCENARIO.akskSigning, server, half, 'access key');
  const tokenSecond = await measure(SCENARIO.tokenPaired, server, half, 'token');
  return [combine(tokenFirst, tokenSecond), combine(signedFirst, signedSecond)];
}
