/**
 * `openkms-server --dev`: what the dev flags mean for the server's settings. Dev mode keeps keys
 * in memory unless a data directory is given, grants one fixed token (dev-credentials.ts) from a
 * token file of its own (a data directory's tokens.json is never touched), and may apply a seed.
 *
 * The root key: without a data directory a fresh random one per run (nothing outlives the run);
 * with one, the data directory's root.key as usual. Seeded data keys never depend on it: a
 * data-key blob is sealed under the CMK's material, which the seed fixes, not under the root key.
 *
 * Logs: as any start, `--log-format` (pretty on a terminal, JSON lines otherwise), so a test
 * harness that reads the JSON lines of a dev server's stdout keeps working.
 */
import { resolve } from 'node:path';
import { dataDirPaths } from '../config/data-dir';
import { ConfigError, type ServerConfigInput } from '../config/server-config';
import { DEV_DEFAULT_CREDENTIALS, DEV_SECRET_KEY_PATTERN, type DevCredentials } from './dev-credentials';

/** The dev flags as commander parses them (config/command-line.ts). */
export interface DevModeFlags {
  readonly dev?: boolean;
  readonly devToken?: string;
  readonly devProjectId?: string;
  readonly devDomainId?: string;
  readonly devAccessKey?: string;
  readonly devSecretKey?: string;
  readonly seed?: string;
}

export interface DevMode {
  readonly credentials: DevCredentials;
  /** The seed file (--seed), applied at every start. */
  readonly seedFile: string | undefined;
  /** Whether the keys live in a temporary directory (no --data-dir): the server makes it and removes it at exit. */
  readonly temporaryDataDir: boolean;
  /** The pid file: --pid-file, else the data directory's; none for a temporary directory (no other process could find it). */
  readonly pidFile: string | undefined;
  /** The server's settings before the runtime paths (temporary directory, dev token file) are added. */
  readonly input: ServerConfigInput;
}

/** Splits the dev flags off the settings; undefined `dev` when --dev is not given. Throws ConfigError on contradictions. */
export function devModeOf(options: ServerConfigInput & DevModeFlags): { input: ServerConfigInput; dev: DevMode | undefined } {
  const { dev, devToken, devProjectId, devDomainId, devAccessKey, devSecretKey, seed, ...input } = options;
  if (!dev) {
    const given = Object.entries({
      '--dev-token': devToken,
      '--dev-project-id': devProjectId,
      '--dev-domain-id': devDomainId,
      '--dev-access-key': devAccessKey,
      '--dev-secret-key': devSecretKey,
      '--seed': seed,
    })
      .filter(([, value]) => value !== undefined)
      .map(([flag]) => flag);
    if (given.length > 0) throw new ConfigError(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} --dev`);
    return { input, dev: undefined };
  }
  if (input.tokenFile !== undefined) throw new ConfigError('--dev grants its own token (--dev-token); leave out --token-file');
  if ((input.workers ?? 1) > 1) throw new ConfigError('--dev runs one process; leave out --workers');
  // A pair: an AK alone would be signed with the default SK, which no one meant.
  if ((devAccessKey === undefined) !== (devSecretKey === undefined)) {
    throw new ConfigError('--dev-access-key and --dev-secret-key go together: give both or neither');
  }
  // Checked here rather than as the flag is parsed: commander's message for a bad flag value quotes it, and an SK is never shown.
  if (devSecretKey !== undefined && !DEV_SECRET_KEY_PATTERN.test(devSecretKey)) {
    throw new ConfigError('--dev-secret-key (or OPENKMS_DEV_SECRET_KEY) must be 40 letters and digits; the value given is not shown');
  }
  const devInput: ServerConfigInput = { ...input, store: input.store ?? (input.dataDir === undefined ? 'memory' : 'sqlite') };
  return {
    input: devInput,
    dev: {
      credentials: {
        token: devToken ?? DEV_DEFAULT_CREDENTIALS.token,
        projectId: devProjectId ?? DEV_DEFAULT_CREDENTIALS.projectId,
        domainId: devDomainId ?? DEV_DEFAULT_CREDENTIALS.domainId,
        accessKeyId: devAccessKey ?? DEV_DEFAULT_CREDENTIALS.accessKeyId,
        secretKey: devSecretKey ?? DEV_DEFAULT_CREDENTIALS.secretKey,
      },
      seedFile: seed,
      temporaryDataDir: input.dataDir === undefined,
      pidFile:
        input.pidFile !== undefined
          ? resolve(input.pidFile)
          : input.dataDir === undefined
            ? undefined
            : dataDirPaths(resolve(input.dataDir)).pidFile,
      input: devInput,
    },
  };
}
