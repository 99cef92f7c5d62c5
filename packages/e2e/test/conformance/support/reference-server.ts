import { startTestServer } from '@openkms/server/testing';

/** Two callers of two different domains, each allowed on its own project: the isolation checks need both. */
export const ALICE = { projectId: 'project-alice', token: 'okms_conformance_alice_token', domainId: 'a1'.repeat(16) } as const;
export const CAROL = { projectId: 'project-carol', token: 'okms_conformance_carol_token', domainId: 'c3'.repeat(16) } as const;
export const REGION = 'local-1';

export interface ReferenceServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Our reference server, in-process, on a free port, with an in-memory store, response
 * validation on (so a server bug would surface as a 500) and a token file naming both callers.
 */
export async function startReferenceServer(): Promise<ReferenceServer> {
  const server = await startTestServer({
    tenants: [ALICE, CAROL],
    // Every kit run makes ~60 keys per project and the broken-server suite runs the kit many times.
    config: { region: REGION, maxKeysPerProject: 100_000 },
  });
  return { url: server.url, close: server.stop };
}

/** The options that point the kit at a server as both callers. */
export function kitTarget(baseUrl: string) {
  return {
    baseUrl,
    projectId: ALICE.projectId,
    token: ALICE.token,
    otherProjectId: CAROL.projectId,
    otherToken: CAROL.token,
    region: REGION,
  };
}

/** The command-line arguments that point the kit at a server as both callers. */
export function kitArgs(baseUrl: string): string[] {
  return [
    ...['--base-url', baseUrl, '--project-id', ALICE.projectId, '--token', ALICE.token],
    ...['--other-project-id', CAROL.projectId, '--other-token', CAROL.token],
  ];
}
