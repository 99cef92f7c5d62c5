/**
 * The scenario "openkms create-datakey, 30-operation spec": the same create-datakey load against
 * a server whose spec has 24 synthetic operations beside its 6 real ones, to show that no
 * per-request work grows with the number of operations (issue 14). Its start function comes
 * from ./wide-spec; this file is the one place where the bench picks it up.
 */
import { join } from 'node:path';
import { openkmsEnv, type OpenkmsSetup } from './openkms-server';
import { startTarget, type Target } from './processes';

/**
 * Starts a server process on the run's store, tokens and root key (see ./openkms-server for the
 * usual arguments and environment) and resolves once it listens.
 */
export type StartWideSpecServer = (setup: OpenkmsSetup) => Promise<Target>;

/** The wide-spec app (./wide-spec) as a process on the run's store, tokens and root key, with `extra` synthetic operations. */
function startWideSpecServer(setup: OpenkmsSetup, extra: number): Promise<Target> {
  const args = [join(__dirname, 'wide-spec.js'), '--port', '0', '--data-dir', setup.dataDir, '--token-file', setup.tokenFile];
  return startTarget(`wide-spec +${extra}`, [...args, '--extra-operations', String(extra)], openkmsEnv(setup), (line) => {
    const port = /^LISTENING ([0-9]+)$/.exec(line.trim())?.[1];
    return port === undefined ? undefined : `http://127.0.0.1:${port}`;
  });
}

/** 30 operations: the spec's 6 and 24 synthetic ones. */
export const startWideSpec: StartWideSpecServer | undefined = (setup) => startWideSpecServer(setup, 24);
/** The same app and wiring with the spec's 6 operations only: the pair differs in the spec alone. */
export const startSixSpec: StartWideSpecServer = (setup) => startWideSpecServer(setup, 0);
