import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveServerConfig, sha256Hex, startServer } from '@openkms/server';

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
  const dataDir = mkdtempSync(join(tmpdir(), 'openkms-conformance-'));
  const tokenFile = join(dataDir, 'tokens.json');
  const tokens = [ALICE, CAROL].map((c, i) => ({ name: `caller-${i}`, token_sha256: sha256Hex(c.token), domain_id: c.domainId, projects: [c.projectId] }));
  writeFileSync(tokenFile, JSON.stringify({ tokens }), { mode: 0o600 });
  const server = await startServer(
    resolveServerConfig({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      store: 'memory',
      tokenFile,
      region: REGION,
      // Every kit run makes ~60 keys per project and the broken-server suite runs the kit many times.
      maxKeysPerProject: 100_000,
      logLevel: 'silent',
      validateResponses: true,
    }),
  );
  return {
    url: server.url,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
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
