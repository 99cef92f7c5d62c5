import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { resolveServerConfig } from '../config/server-config';
import { startServer, type RunningServer, type StartOptions } from '../runtime/server';
import { describeStore } from '../runtime/store';
import { applySeed, type SeedOutcome } from './apply-seed';
import { formatDevBanner } from './dev-banner';
import { devAccessKeyCredential, writeDevTokenFile } from './dev-credentials';
import type { DevMode } from './dev-mode';
import { loadSeedFile } from './seed-file';

/**
 * Starts the dev server: its own temporary directory (the dev token file, and the keys when no
 * data directory is given), the seed applied before it listens, and the banner on stderr.
 * A bad or conflicting seed rejects with a SeedFileError (`file:line: reason`).
 */
export async function startDevServer(
  dev: DevMode,
  logger: Logger,
  writeBanner = (text: string) => process.stderr.write(text),
  listening?: StartOptions['listening'],
): Promise<RunningServer> {
  // Read the seed first: a bad file stops the start before anything is made.
  const seed = dev.seedFile === undefined ? undefined : loadSeedFile(dev.seedFile);
  const runtimeDir = mkdtempSync(join(tmpdir(), 'openkms-dev-'));
  const removeRuntimeDir = () => rmSync(runtimeDir, { recursive: true, force: true });
  try {
    const tokenFile = join(runtimeDir, 'tokens.json');
    writeDevTokenFile(tokenFile, dev.credentials);
    const config = resolveServerConfig({
      ...dev.input,
      tokenFile,
      ...(dev.temporaryDataDir && { dataDir: runtimeDir, rootKey: dev.input.rootKey ?? randomBytes(32).toString('hex') }),
    });
    let outcome: SeedOutcome | undefined;
    const scope = { domainId: dev.credentials.domainId, projectId: dev.credentials.projectId };
    const running = await startServer(config, logger, {
      fixedAccessKeys: [devAccessKeyCredential(dev.credentials)],
      listening,
      prepare: async (service) => {
        if (seed) outcome = await applySeed(service, scope, seed, dev.seedFile!);
      },
    });
    if (outcome) logger.info({ seed_file: dev.seedFile, created: outcome.created, unchanged: outcome.unchanged }, 'seed applied');
    writeBanner(
      formatDevBanner({
        url: running.url,
        credentials: dev.credentials,
        store: describeStore(config.store).store,
        dataDir: config.dataDir,
        temporary: dev.temporaryDataDir,
        seed: outcome && { file: dev.seedFile!, outcome },
      }),
    );
    return {
      ...running,
      close: async () => {
        await running.close();
        removeRuntimeDir();
      },
    };
  } catch (error) {
    removeRuntimeDir();
    throw error;
  }
}
