/**
 * The server destroys keys past their deletion date on its own: at start, and then every
 * --purge-interval-ms. Seven days are skipped by moving the key's date in the SQLite file.
 */
import { sqliteServerFixture } from './sqlite-server-fixture';

jest.setTimeout(60_000);

const { start, post, createKey, withKeyStore } = sqliteServerFixture('openkms-purge-');

/** Moves a pending key's deletion date into the past, as if its waiting period had ended. */
const expire = (keyId: string): void =>
  withKeyStore((db) =>
    expect(db.prepare('UPDATE keys SET scheduled_deletion_date = ? WHERE key_id = ?').run(Date.now() - 1, keyId).changes).toBe(1),
  );

const rowsOf = (keyId: string): number =>
  withKeyStore((db) => (db.prepare('SELECT count(*) AS n FROM keys WHERE key_id = ?').get(keyId) as { n: number }).n, { readonly: true });

it('purges a key past its date at start, then on the interval, and logs each purge', async () => {
  let server = await start();
  const first = await createKey(server.url, 'purge/first');
  const second = await createKey(server.url, 'purge/second');
  for (const keyId of [first, second]) {
    expect((await post(server.url, 'schedule-key-deletion', { key_id: keyId, pending_days: '7' })).status).toBe(200);
  }
  await server.stop();

  expire(first);
  server = await start('--purge-interval-ms', '1000');
  try {
    const atStart = await server.waitForLine((line) => line.msg === 'keys past their deletion date destroyed', 'the purge log line');
    expect(atStart.purged_keys).toEqual([first]);
    expect(rowsOf(first)).toBe(0);
    expect(rowsOf(second)).toBe(1);
    // The alias is free again.
    expect((await post(server.url, 'create-key', { key_alias: 'purge/first' })).status).toBe(200);

    expire(second);
    await server.waitUntil(() => (rowsOf(second) === 0 ? true : undefined), 'the purge on the interval');
    expect((await post(server.url, 'describe-key', { key_id: second })).status).toBe(404);
  } finally {
    await server.stop();
  }
});

it('--dev-min-pending-days lowers the minimum for local testing, and says so loudly at start', async () => {
  const server = await start('--dev-min-pending-days', '1');
  try {
    const warning = server.logLines().find((line) => line.dev_min_pending_days === 1);
    expect(warning).toMatchObject({ level: 40, msg: expect.stringMatching(/^DEVELOPMENT OPTION ON/) });
    const keyId = await createKey(server.url, 'dev/short');
    expect((await post(server.url, 'schedule-key-deletion', { key_id: keyId, pending_days: '1' })).status).toBe(200);
  } finally {
    await server.stop();
  }
  // Off by default: the API's 7 days.
  const plain = await start();
  try {
    expect(plain.logLines().some((line) => 'dev_min_pending_days' in line)).toBe(false);
    const keyId = await createKey(plain.url, 'dev/long');
    expect((await post(plain.url, 'schedule-key-deletion', { key_id: keyId, pending_days: '6' })).status).toBe(400);
  } finally {
    await plain.stop();
  }
});
