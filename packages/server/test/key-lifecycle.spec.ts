import { randomBytes, randomUUID } from 'node:crypto';
import {
  DAY_MS,
  encodeDatakeyBlob,
  KEY_OPERATIONS,
  KEY_STATE_TABLE,
  KeyState,
  MemoryKeyStore,
  RootKey,
  type KeyOperation,
} from '@openkms/core';
import { buildTestApp, CALLERS, expectKmsError, type TestApp } from './support';

// enable-key, disable-key, schedule-key-deletion and cancel-key-deletion over HTTP, with
// response validation on (a reply that drifts from the spec fails), and the state table of
// docs/key-states.md walked through the API.

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

describe('POST enable-key and disable-key', () => {
  it('disables and enables a key, answering key_info {key_id, key_state}', async () => {
    const { t } = await setup();
    const keyId = await newKey(t);
    const dataKey = (await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200)).body;
    const disabled = await t.post('disable-key').send({ key_id: keyId }).expect(200);
    expect(disabled.body).toEqual({ key_info: { key_id: keyId, key_state: '3' } });
    expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: '256' }), 400, 'KMS.0209');
    expectKmsError(
      await t.decryptDatakey({ key_id: keyId, cipher_text: dataKey.cipher_text, datakey_cipher_length: '32' }),
      400,
      'KMS.0209',
    );
    expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_state).toBe('3');
    const enabled = await t.post('enable-key').send({ key_id: keyId, sequence: '919c82d4-8046-4722-9094-35c3c6524cff' }).expect(200);
    expect(enabled.body).toEqual({ key_info: { key_id: keyId, key_state: '2' } });
    const opened = await t.decryptDatakey({ key_id: keyId, cipher_text: dataKey.cipher_text, datakey_cipher_length: '32' }).expect(200);
    expect(opened.body.data_key).toBe(dataKey.plain_text);
  });

  it.each(['enable-key', 'disable-key', 'cancel-key-deletion'])(
    '%s: a bad key_id is KMS.0205, a missing one KMS.0204, an unknown one 404 KMS.0207',
    async (operation) => {
      const { t } = await setup();
      expectKmsError(await t.post(operation).send({ key_id: 'alias/nope' }), 400, 'KMS.0205');
      expectKmsError(await t.post(operation).send({}), 400, 'KMS.0204');
      expectKmsError(await t.post(operation).send({ key_id: randomUUID() }), 404, 'KMS.0207');
    },
  );

  it("cannot touch another project's key", async () => {
    const { t } = await setup();
    const keyId = await newKey(t);
    expectKmsError(await t.post('disable-key', CALLERS.bob).send({ key_id: keyId }), 404, 'KMS.0207');
    expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_state).toBe('2');
  });
});

describe('POST schedule-key-deletion and cancel-key-deletion', () => {
  it('schedules: state 4, scheduled_deletion_date = now + pending_days in describe-key and list-keys; cancel returns to 3', async () => {
    const { t } = await setup();
    const keyId = await newKey(t);
    const scheduled = await t.post('schedule-key-deletion').send({ key_id: keyId, pending_days: '7' }).expect(200);
    expect(scheduled.body).toEqual({ key_id: keyId, key_state: '4' });
    const described = (await t.describeKey({ key_id: keyId }).expect(200)).body.key_info;
    expect(described).toMatchObject({ key_state: '4', scheduled_deletion_date: String(T0 + 7 * DAY_MS) });
    const listed = (await t.listKeys({}).expect(200)).body.key_details[0];
    expect(listed).toMatchObject({ key_id: keyId, scheduled_deletion_date: String(T0 + 7 * DAY_MS) });
    expectKmsError(await t.createDatakey({ key_id: keyId, datakey_length: '256' }), 400, 'KMS.0210');

    const cancelled = await t.post('cancel-key-deletion').send({ key_id: keyId }).expect(200);
    expect(cancelled.body).toEqual({ key_id: keyId, key_state: '3' });
    expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info).toMatchObject({
      key_state: '3',
      scheduled_deletion_date: '',
    });
  });

  it.each([['6'], ['1097'], ['0'], ['007'], ['-7'], ['7.0'], [''], ['seven']])(
    'refuses pending_days %p with KMS.0308, key unchanged',
    async (days) => {
      const { t } = await setup();
      const keyId = await newKey(t);
      expectKmsError(await t.post('schedule-key-deletion').send({ key_id: keyId, pending_days: days }), 400, 'KMS.0308');
      expect((await t.describeKey({ key_id: keyId }).expect(200)).body.key_info.key_state).toBe('2');
    },
  );

  it('accepts pending_days 7 and 1096; refuses it as a number or missing', async () => {
    const { t } = await setup();
    await t
      .post('schedule-key-deletion')
      .send({ key_id: await newKey(t), pending_days: '1096' })
      .expect(200);
    await t
      .post('schedule-key-deletion')
      .send({ key_id: await newKey(t), pending_days: '7' })
      .expect(200);
    expectKmsError(await t.post('schedule-key-deletion').send({ key_id: await newKey(t), pending_days: 7 }), 400, 'KMS.0308');
    expectKmsError(await t.post('schedule-key-deletion').send({ key_id: await newKey(t) }), 400, 'KMS.0204');
  });

  it('schedules an origin external key pending import', async () => {
    const { t } = await setup();
    const keyId = await newKey(t, { origin: 'external' });
    expect((await t.post('schedule-key-deletion').send({ key_id: keyId, pending_days: '7' }).expect(200)).body.key_state).toBe('4');
  });

  it('after the waiting period the key is purged: its ciphertexts, alias and ID answer like a key that never existed', async () => {
    const { t, advance } = await setup();
    const keyId = await newKey(t, { key_alias: 'doomed' });
    const dataKey = (await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200)).body;
    await t.post('schedule-key-deletion').send({ key_id: keyId, pending_days: '7' }).expect(200);
    advance(7 * DAY_MS);
    expect(await t.service.purgeDueKeys()).toEqual([keyId]);
    const purged = expectKmsError(
      await t.decryptDatakey({ key_id: keyId, cipher_text: dataKey.cipher_text, datakey_cipher_length: '32' }),
      404,
      'KMS.0207',
    );
    // A blob naming a key that never existed gets the same answer.
    const neverId = randomUUID();
    const neverBlob = encodeDatakeyBlob({ keyId: neverId, payload: randomBytes(60) })
      .toString('hex')
      .toUpperCase();
    const never = expectKmsError(
      await t.decryptDatakey({ key_id: neverId, cipher_text: neverBlob, datakey_cipher_length: '32' }),
      404,
      'KMS.0207',
    );
    expect(never).toEqual(purged);
    expectKmsError(await t.describeKey({ key_id: keyId }), 404, 'KMS.0207');
    expectKmsError(await t.post('cancel-key-deletion').send({ key_id: keyId }), 404, 'KMS.0207');
    // The alias is free again.
    await t.createKey({ key_alias: 'doomed' }).expect(200);
  });
});

describe('the state table of docs/key-states.md, through HTTP', () => {
  const requestFor = (operation: KeyOperation, keyId: string, material: { cipherText: string }) => {
    switch (operation) {
      case 'describe-key':
      case 'enable-key':
      case 'disable-key':
      case 'cancel-key-deletion':
      case 'enable-key-rotation':
      case 'disable-key-rotation':
      case 'rotate-on-demand':
      case 'get-key-rotation-status':
        return { key_id: keyId };
      case 'update-key-rotation-interval':
        return { key_id: keyId, rotation_interval: 90 };
      case 'schedule-key-deletion':
        return { key_id: keyId, pending_days: '7' };
      case 'update-key-alias':
        return { key_id: keyId, key_alias: `renamed/${keyId}` };
      case 'update-key-description':
        return { key_id: keyId, key_description: 'described' };
      case 'create-datakey':
        return { key_id: keyId, datakey_length: '256' };
      case 'encrypt-datakey':
        return {
          key_id: keyId,
          plain_text: '00'.repeat(32) + '66687AADF862BD776C8FC18B8E9F8E20089714856EE233B3902A591D0D5F2925',
          datakey_plain_length: '32',
        };
      case 'decrypt-datakey':
        return { key_id: keyId, cipher_text: material.cipherText, datakey_cipher_length: '32' };
    }
  };

  /** A well-formed blob naming a key without material: the state is checked before any material is opened. */
  const blobNaming = (keyId: string) =>
    encodeDatakeyBlob({ keyId, payload: randomBytes(60) })
      .toString('hex')
      .toUpperCase();

  /** A key in `state`, made through the API (state 1, which no operation makes, is inserted into the store). */
  async function keyIn(t: TestApp, store: MemoryKeyStore, state: KeyState): Promise<{ keyId: string; cipherText: string }> {
    if (state === KeyState.WaitingActivation) {
      const keyId = randomUUID();
      const { projectId, domainId } = CALLERS.alice;
      await store.insertKey(
        {
          keyId,
          domainId,
          projectId,
          keyAlias: `s1/${keyId}`,
          keyDescription: '',
          origin: 'kms',
          keyState: state,
          enterpriseProjectId: '0',
          creationDate: T0,
          wrappedMaterial: RootKey.generate().wrap(randomBytes(32), { domainId, projectId, keyId }),
        },
        { maxKeysPerProject: 1000 },
      );
      return { keyId, cipherText: blobNaming(keyId) };
    }
    const keyId = await newKey(t, state === KeyState.PendingImport ? { origin: 'external' } : {});
    let cipherText = '';
    if (state !== KeyState.PendingImport)
      cipherText = (await t.createDatakey({ key_id: keyId, datakey_length: '256' }).expect(200)).body.cipher_text;
    else cipherText = blobNaming(keyId);
    if (state === KeyState.Disabled) await t.post('disable-key').send({ key_id: keyId }).expect(200);
    if (state === KeyState.PendingDeletion) await t.post('schedule-key-deletion').send({ key_id: keyId, pending_days: '30' }).expect(200);
    return { keyId, cipherText };
  }

  it.each(KEY_OPERATIONS.flatMap((operation) => Object.values(KeyState).map((state) => [operation, state] as const)))(
    '%s in state %s',
    async (operation, state) => {
      const { t, store } = await setup();
      const key = await keyIn(t, store, state);
      const res = await t.post(operation).send(requestFor(operation, key.keyId, key));
      const rule = KEY_STATE_TABLE[operation][state];
      const after = (await t.describeKey({ key_id: key.keyId }).expect(200)).body.key_info.key_state;
      if (rule.allowed) {
        expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
        if (rule.to === undefined) expect(after).toBe(state);
        else expect(after).toBe(rule.to === 'disabled-or-pending-import' ? KeyState.Disabled : rule.to);
      } else {
        expectKmsError(res, 400, rule.code);
        expect(after).toBe(state);
      }
    },
  );
});
