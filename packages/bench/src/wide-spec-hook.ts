/**
 * The scenario "openkms create-datakey, 30-operation spec": the same create-datakey load against
 * a server whose spec has 24 synthetic operations beside its 6 real ones, to show that no
 * per-request work grows with the number of operations (issue 14). Its start function comes
 * from ./wide-spec (helper H1); this file is the one place where the bench picks it up.
 */
import type { OpenkmsSetup } from './openkms-server';
import type { Target } from './processes';

/**
 * Starts a server process on the run's store, tokens and root key (see ./openkms-server for the
 * usual arguments and environment) and resolves once it listens.
 */
export type StartWideSpecServer = (setup: OpenkmsSetup) => Promise<Target>;

// ──────────────────────────────── INTEGRATION POINT (issue 14) ────────────────────────────────
// Wire H1's start function from ./wide-spec here, adapting its signature if needed, e.g.
//   import { startWideSpecServer } from './wide-spec';
//   export const startWideSpec: StartWideSpecServer | undefined = (setup) => startWideSpecServer(setup);
// While this is undefined the bench reports the scenario "not run" and its target "NOT JUDGED".
export const startWideSpec: StartWideSpecServer | undefined = undefined;
// ───────────────────────────────────────────────────────────────────────────────────────────────
