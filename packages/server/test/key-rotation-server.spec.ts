/**
 * The server rotates keys due for automatic rotation on its own: at start, and then every
 * --rotation-check-interval-ms. A year is skipped by moving the key's rotation dates in the SQLite file.
 */
import { sqliteServerFixture } from './sqlite-server-fixture';

jest.setTimeout(60_000);

const { start, post, createKey, withKeyStore } = sqliteServerFixture('openkms-rotation-');

/** Moves a key's rotation dates a year into the past, as if its 365-day interval had passed. */
const yearPasses = (keyId: string): void =>
  withKeyStore((db) => {
    const yearAgo = Date.now() - 366 * 86_400_000;
    const moved = db
      .prepare(
        'UPDATE keys SET rotation_enabled_at = ?, last_rotation_time = CASE WHEN last_rotation_time IS NULL THEN NULL ELSE ? END WHERE key_id = ?',
      )
      .run(yearAgo, yearAgo, keyId);
    expect(moved.changes).toBe(1);
  });

const rotations = async (url: string, keyId: string) =>
  (await post(url, 'get-key-rotation-status', { key_id: keyId })).json.number_of_rotations as number;

it('rotates a due key at start, then on the interval, logs each rotation, and old data keys still decrypt', async () => {
  let server = await start();
  const keyId = await createKey(server.url, 'rotation/auto');
  const idle = await createKey(server.url, 'rotation/off');
  expect((await post(server.url, 'enable-key-rotation', { key_id: keyId })).status).toBe(200);
  const before = (await post(server.url, 'create-datakey', { key_id: keyId, datakey_length: '256' })).json;
  await server.stop();

  yearPasses(keyId);
  server = await start('--rotation-check-interval-ms', '1000');
  try {
    const atStart = await server.waitForLine((line) => line.msg === 'keys due for automatic rotation rotated', 'the rotation log line');
    expect(atStart.rotated_keys).toEqual([keyId]);
    expect(await rotations(server.url, keyId)).toBe(1);
    expect(await rotations(server.url, idle)).toBe(0);
    const opened = await post(server.url, 'decrypt-datakey', {
      key_id: keyId,
      cipher_text: before.cipher_text,
      datakey_cipher_length: '32',
    });
    expect(opened.json.data_key).toBe(before.plain_text);
    const after = (await post(server.url, 'create-datakey', { key_id: keyId, datakey_length: '256' })).json;
    expect(String(after.cipher_text).slice(0, 4)).toBe('0300');

    yearPasses(keyId);
    const rotatedLines = () => server.logLines().filter((line) => line.msg === 'keys due for automatic rotation rotated');
    await server.waitUntil(() => (rotatedLines().length >= 2 ? true : undefined), 'the rotation on the interval');
    expect(rotatedLines()[1]!.rotated_keys).toEqual([keyId]);
    expect(await rotations(server.url, keyId)).toBe(2);
  } finally {
    await server.stop();
  }
});
