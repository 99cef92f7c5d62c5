import { randomUUID } from 'node:crypto';
import { DAY_MS, MemoryKeyStore } from '@openkms/core';
import { buildTestApp, expectKmsError, type TestApp } from './support';

// enable-key-rotation, disable-key-rotation, update-key-rotation-interval, get-key-rotation-status
// and rotate-on-demand over HTTP, with response validation on (a reply that drifts from the spec
// fails). Their state rows are walked in key-lifecycle.spec.ts with the rest of docs/key-states.md.

const T0 = 1_760_000_000_000;
// Guards against a hang only; several tests make a few keys over HTTP on a busy machine.
jest.setTimeout(30_000);

async function setup() {
  let now = T0;
  const store = new MemoryKeyStore();
  const t = await buildTestApp({ store, now: () => now });
  return { t, store, advance: (ms: number) => (now += ms) };
}

async function newKey(t: TestApp, body: object = {}): Promise<string> {
  const res = await t.createKey({ key_alias: `k/${randomUUID()}`, ...body }).expect(200);
  return res.body.key_info.key_id as string;
}

const OPERATIONS = ['enable-key-rotation', 'disable-key-rotation', 'get-key-rotation-status', 'rotate-on-demand'] as const;

describe('key rotation over HTTP', () => {
  it('a new key: rotation disabled, 365 days, never rotated ("" and 0)', async () => {
    const { t } = await setup();
    const keyId = await newKey(t);
    const status = await t.post('get-key-rotation-status').send({ key_id: keyId }).expect(200);
    expect(status.body).toEqual({ key_rotation_enabled: false, rotation_interval: 365, last_rotation_time: '', number_of_rotations: 0 });
  });

  it('enables, sets the interval and disables, each answering {}; describe-key shows key_rotation_enabled', async () => {
    const { t } = await setup();
    const keyId = await newKey(t);
    expect(
      (await t.post('enable-key-rotation').send({ key_id: keyId, sequence: '919c82d4-8046-4722-9094-35c3c6524cff' }).expect(200)).body,
    ).toEqual({});
    expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_rotation_enabled).toBe('true');
    expect((await t.post('update-key-rotation-interval').send({ key_id: keyId, rotation_interval: 30 }).expect(200)).body).toEqual({});
    expect((await t.post('get-key-rotation-status').send({ key_id: keyId }).expect(200)).body).toMatchObject({
      key_rotation_enabled: true,
      rotation_interval: 30,
    });
    expect((await t.post('disable-key-rotation').send({ key_id: keyId }).expect(200)).body).toEqual({});
    expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_rotation_enabled).toBe('false');
  });

  it('rotate-on-demand answers key_id; old data keys and data decrypt, new ones are format 3 and 44 02', async () => {
    const { t, advance } = await setup();
    const keyId = await newKey(t);
    const before = (await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200)).body;
    const data = (await t.post('encrypt-data').send({ key_id: keyId, plain_text: 'before rotation' }).expect(200)).body;
    advance(5_000);
    expect((await t.post('rotate-on-demand').send({ key_id: keyId }).expect(200)).body).toEqual({ key_id: keyId });
    expect((await t.post('get-key-rotation-status').send({ key_id: keyId }).expect(200)).body).toMatchObject({
      last_rotation_time: String(T0 + 5_000),
      number_of_rotations: 1,
    });
    const after = (await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200)).body;
    expect(before.cipher_text.slice(0, 4)).toBe('0200');
    expect(after.cipher_text.slice(0, 4)).toBe('0300');
    const newData = (await t.post('encrypt-data').send({ key_id: keyId, plain_text: 'after rotation' }).expect(200)).body;
    expect(Buffer.from(newData.cipher_text, 'base64').subarray(0, 2).toString('hex')).toBe('4402');
    for (const made of [before, after]) {
      const opened = await t.decryptDatakey({ key_id: keyId, cipher_text: made.cipher_text, datakey_cipher_length: '32' }).expect(200);
      expect(opened.body.data_key).toBe(made.plain_text);
    }
    expect((await t.post('decrypt-data').send({ cipher_text: data.cipher_text }).expect(200)).body.plain_text).toBe('before rotation');
    expect((await t.post('decrypt-data').send({ cipher_text: newData.cipher_text }).expect(200)).body.plain_text).toBe('after rotation');
  });

  it('automatic rotation from the service clock: due after the interval, once', async () => {
    const { t, advance } = await setup();
    const keyId = await newKey(t);
    await t.post('enable-key-rotation').send({ key_id: keyId }).expect(200);
    await t.post('update-key-rotation-interval').send({ key_id: keyId, rotation_interval: 30 }).expect(200);
    advance(30 * DAY_MS);
    expect(await t.service.rotateDueKeys()).toEqual([keyId]);
    expect(await t.service.rotateDueKeys()).toEqual([]);
    expect((await t.post('get-key-rotation-status').send({ key_id: keyId }).expect(200)).body.number_of_rotations).toBe(1);
  });

  it.each([29, 366, 0, -1, 30.5, '30', null, true])('refuses rotation_interval %p with KMS.0308, interval unchanged', async (interval) => {
    const { t } = await setup();
    const keyId = await newKey(t);
    expectKmsError(await t.post('update-key-rotation-interval').send({ key_id: keyId, rotation_interval: interval }), 400, 'KMS.0308');
    expect((await t.post('get-key-rotation-status').send({ key_id: keyId }).expect(200)).body.rotation_interval).toBe(365);
  });

  it('update-key-rotation-interval: rotation_interval missing is KMS.0204', async () => {
    const { t } = await setup();
    expectKmsError(await t.post('update-key-rotation-interval').send({ key_id: await newKey(t) }), 400, 'KMS.0204');
  });

  it.each([...OPERATIONS, 'update-key-rotation-interval'])(
    '%s: a bad key_id is KMS.0205, a missing one KMS.0204, an unknown one 404 KMS.0207, an unknown field KMS.0308',
    async (operation) => {
      const { t } = await setup();
      const extra = operation === 'update-key-rotation-interval' ? { rotation_interval: 60 } : {};
      expectKmsError(await t.post(operation).send({ key_id: 'alias/nope', ...extra }), 400, 'KMS.0205');
      expectKmsError(await t.post(operation).send({ ...extra }), 400, 'KMS.0204');
      expectKmsError(await t.post(operation).send({ key_id: randomUUID(), ...extra }), 404, 'KMS.0207');
      expectKmsError(await t.post(operation).send({ key_id: await newKey(t), ...extra, interval: 1 }), 400, 'KMS.0308');
    },
  );

  it('a disabled key refuses rotation changes with KMS.0209 but answers its status', async () => {
    const { t } = await setup();
    const keyId = await newKey(t);
    await t.post('disable-key').send({ key_id: keyId }).expect(200);
    for (const operation of ['enable-key-rotation', 'disable-key-rotation', 'rotate-on-demand']) {
      expectKmsError(await t.post(operation).send({ key_id: keyId }), 400, 'KMS.0209');
    }
    expectKmsError(await t.post('update-key-rotation-interval').send({ key_id: keyId, rotation_interval: 60 }), 400, 'KMS.0209');
    await t.post('get-key-rotation-status').send({ key_id: keyId }).expect(200);
  });
});
