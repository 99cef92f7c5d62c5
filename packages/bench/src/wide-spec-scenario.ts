import type { OpenkmsSetup } from './openkms-server';
import type { Target } from './processes';
import { notRun, SCENARIO, type MeasuredRow, type Row } from './scenarios';
import type { StartWideSpecServer } from './wide-spec-hook';

/**
 * The 30-operation row: measured on the server the hook starts, or "not run" while no start
 * function is wired in (so its target is not judged, rather than judged on a stand-in).
 */
export async function wideSpecRow(
  start: StartWideSpecServer | undefined,
  setup: OpenkmsSetup,
  measure: (scenario: string, server: Target) => Promise<MeasuredRow>,
): Promise<Row> {
  if (!start) return notRun(SCENARIO.wideSpec, 'its server is not wired in yet (src/wide-spec-hook.ts)');
  const server = await start(setup);
  try {
    return await measure(SCENARIO.wideSpec, server);
  } finally {
    await server.stop();
  }
}
