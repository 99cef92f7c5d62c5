import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { sealDataKey } from '../ciphertext/datakey-seal';
import { KmsError, type KmsErrorCode } from '../errors';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { KEY_OPERATIONS, KEY_STATE_TABLE, type KeyOperation } from '../keys/key-state-machine';
import { MemoryKeyStore } from '../store/memory-key-store';
import type { KeyStore } from '../store/key-store';
import { readKeyStatesTable } from '../testing/key-states-doc';
import { DAY_MS, PENDING_DAYS_MAX, PENDING_DAYS_MIN, PURGE_BATCH_SIZE } from './key-lifecycle';
import { KmsService } from './kms-service';

const A: Scope = { domainId: 'a1'.repeat(16), projectId: 'a2'.repeat(16) };
const B: Scope = { domainId: A.domainId, projectId: 'b2'.repeat(16) };
const T0 = 1_760_000_000_000;

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function setup(store: KeyStore = new MemoryKeyStore()) {
  const clock = manualClock();
  const rootKey = RootKey.generate();
  const service = await KmsService.open({ region: 'test-1', store, rootKey, now: clock.now });
  return { service, store, rootKey, clock };
}

async function outcome(promise: Promise<unknown>): Promise<{ ok: true } | { ok: false; code: KmsErrorCode }> {
  try {
    await promise;
    return { ok: true };
  } catch (error) {
    if (!(error instanceof KmsError)) throw error;
    return { ok: false, code: error.code };
  }
}

async function kmsError(promise: Promise<unknown>, code: KmsErrorCode): Promise<void> {
  expect(await outcome(promise)).toEqual({ ok: false, code });
}

/** A key in any state, inserted directly (state 1 has no operation that makes it), with known material. */
async function keyInState(store: KeyStore, rootKey: RootKey, state: KeyState, options: { withMaterial?: boolean } = {}) {
  const keyId = randomUUID();
  const material = randomBytes(32);
  const withMaterial = options.withMaterial ?? state !== KeyState.PendingImport;
  const record: KeyRecord = {
    keyId,
    ...A,
    keyAlias: `state/${keyId}`,
    keyDescription: '',
    origin: withMaterial ? 'kms' : 'external',
    keyState: state,
    enterpriseProjectId: '0',
    creationDate: T0,
    wrappedMaterial: withMaterial ? rootKey.wrap(material, { ...A, keyId }) : null,
    ...(state === KeyState.PendingDeletion ? { scheduledDeletionDate: T0 + 30 * DAY_MS } : {}),
  };
  expect(await store.insertKey(record, { maxKeysPerProject: 10_000 })).toEqual({ ok: true });
  return { keyId, material };
}

/** Runs one operation of the table on a key. */
function run(service: KmsService, operation: KeyOperation, keyId: string, material: Buffer): Promise<unknown> {
  const dek = randomBytes(32);
  switch (operation) {
    case 'describe-key':
      return service.describeKey(A, keyId);
    case 'create-datakey':
      return service.createDataKey(A, { keyId, datakeyBits: 256 });
    case 'encrypt-datakey':
      return service.encryptDataKey(A, {
        keyId,
        plaintextWithDigest: Buffer.concat([dek, createHash('sha256').update(dek).digest()]),
        datakeyBytes: 32,
      });
    case 'decrypt-datakey':
      return service.decryptDataKey(A, { ciphertext: sealDataKey({ material, keyId, dek, context: {}, additionalData: '' }) });
    case 'enable-key':
      return service.enableKey(A, keyId);
    case 'disable-key':
      return service.disableKey(A, keyId);
    case 'schedule-key-deletion':
      return service.scheduleKeyDeletion(A, keyId, PENDING_DAYS_MIN);
    case 'cancel-key-deletion':
      return service.cancelKeyDeletion(A, keyId);
    case 'enable-key-rotation':
      return service.enableKeyRotation(A, keyId);
    case 'disable-key-rotation':
      return service.disableKeyRotation(A, keyId);
    case 'update-key-rotation-interval':
      return service.updateKeyRotationInterval(A, keyId, 90);
    case 'rotate-on-demand':
      return service.rotateKeyOnDemand(A, keyId);
    case 'get-key-rotation-status':
      return service.getKeyRotationStatus(A, keyId);
    case 'update-key-alias':
      return service.updateKeyAlias(A, keyId, `renamed/${keyId}`);
    case 'update-key-description':
      return service.updateKeyDescription(A, keyId, 'described');
  }
}

const STATES = Object.values(KeyState);

describe('the key state table', () => {
  const documented = readKeyStatesTable();

  it('docs/key-states.md has exactly the operations of the state machine', () => {
    expect([...documented.keys()].sort()).toEqual([...KEY_OPERATIONS].sort());
  });

  describe.each(KEY_OPERATIONS.map((operation) => [operation]))('%s', (operation) => {
    it.each(STATES.map((state) => [state]))('in state %s answers as docs/key-states.md says, through the service', async (state) => {
      const { service, store, rootKey } = await setup();
      const { keyId, material } = await keyInState(store, rootKey, state);
      const cell = documented.get(operation)!.get(state)!;
      const result = await outcome(run(service, operation, keyId, material));
      const after = await store.findKeyById(A, keyId);
      if (cell.kind === 'refused') {
        expect(result).toEqual({ ok: false, code: cell.code });
        expect(after?.keyState).toBe(state);
      } else {
        expect(result).toEqual({ ok: true });
        expect(after?.keyState).toBe(cell.kind === 'to' ? cell.state : state);
      }
      // The code's table says the same as the document.
      const rule = KEY_STATE_TABLE[operation][state];
      expect(rule.allowed).toBe(cell.kind !== 'refused');
      if (!rule.allowed && cell.kind === 'refused') expect(rule.code).toBe(cell.code);
    });
  });

  it('cancel-key-deletion returns a key that never had material to pending import, not disabled', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'external', origin: 'external' });
    expect((await service.scheduleKeyDeletion(A, keyId, 7)).keyState).toBe(KeyState.PendingDeletion);
    expect((await service.cancelKeyDeletion(A, keyId)).keyState).toBe(KeyState.PendingImport);
    await kmsError(service.enableKey(A, keyId), 'KMS.0310');
  });
});

describe('update-key-alias and update-key-description on a key pending deletion', () => {
  it('refuses both with KMS.0210 and changes nothing; once cancelled, both apply again', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'doomed', keyDescription: 'before' });
    await service.scheduleKeyDeletion(A, keyId, PENDING_DAYS_MIN);
    await kmsError(service.updateKeyAlias(A, keyId, 'renamed'), 'KMS.0210');
    await kmsError(service.updateKeyDescription(A, keyId, 'after'), 'KMS.0210');
    expect(await service.describeKey(A, keyId)).toMatchObject({ keyAlias: 'doomed', keyDescription: 'before' });
    // The alias it keeps is still taken: another key cannot have it.
    await kmsError(service.createKey(A, { keyAlias: 'doomed' }), 'KMS.1104');
    await service.cancelKeyDeletion(A, keyId);
    await service.updateKeyAlias(A, keyId, 'renamed');
    await service.updateKeyDescription(A, keyId, 'after');
    expect(await service.describeKey(A, keyId)).toMatchObject({ keyAlias: 'renamed', keyDescription: 'after' });
  });

  it('refuses an edit whose key was scheduled for deletion between its state check and its write (KMS.0210), changing nothing', async () => {
    // A store in which a schedule-key-deletion lands just before each edit's write, as a concurrent request could.
    class RacedStore extends MemoryKeyStore {
      async #scheduleNow(keyId: string): Promise<void> {
        await this.transitionKeyState(A, keyId, {
          from: KeyState.Enabled,
          to: KeyState.PendingDeletion,
          scheduledDeletionDate: T0 + 30 * DAY_MS,
        });
      }
      override async updateKeyAlias(scope: Scope, keyId: string, keyAlias: string, fromState: KeyState) {
        await this.#scheduleNow(keyId);
        return super.updateKeyAlias(scope, keyId, keyAlias, fromState);
      }
      override async updateKeyDescription(scope: Scope, keyId: string, keyDescription: string, fromState: KeyState) {
        await this.#scheduleNow(keyId);
        return super.updateKeyDescription(scope, keyId, keyDescription, fromState);
      }
    }
    for (const edit of ['alias', 'description'] as const) {
      const { service } = await setup(new RacedStore());
      const { keyId } = await service.createKey(A, { keyAlias: 'raced', keyDescription: 'before' });
      const editing = edit === 'alias' ? service.updateKeyAlias(A, keyId, 'renamed') : service.updateKeyDescription(A, keyId, 'after');
      await kmsError(editing, 'KMS.0210');
      expect(await service.describeKey(A, keyId)).toMatchObject({
        keyAlias: 'raced',
        keyDescription: 'before',
        keyState: KeyState.PendingDeletion,
      });
    }
  });
});

describe('enable-key, disable-key, schedule-key-deletion, cancel-key-deletion', () => {
  it('disables and enables a key: data keys made before decrypt again once enabled', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'app' });
    const made = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    expect(await service.disableKey(A, keyId)).toMatchObject({ keyId, keyState: KeyState.Disabled });
    await kmsError(service.createDataKey(A, { keyId }), 'KMS.0209');
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext }), 'KMS.0209');
    expect(await service.enableKey(A, keyId)).toMatchObject({ keyId, keyState: KeyState.Enabled });
    expect((await service.decryptDataKey(A, { ciphertext: made.ciphertext })).plaintext).toEqual(made.plaintext);
  });

  it('accepts an alias as well as a key ID, and answers KMS.0207 for a key of another project', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'by-alias' });
    expect((await service.disableKey(A, 'alias/by-alias')).keyId).toBe(keyId);
    await kmsError(service.enableKey(B, keyId), 'KMS.0207');
    await kmsError(service.enableKey(A, randomUUID()), 'KMS.0207');
    await kmsError(service.enableKey(A, 'not a key'), 'KMS.0205');
  });

  it.each([PENDING_DAYS_MIN - 1, PENDING_DAYS_MAX + 1, 0, -7, 7.5, Number.NaN])(
    'refuses pending_days %p with KMS.0308, key unchanged',
    async (days) => {
      const { service } = await setup();
      const { keyId } = await service.createKey(A, { keyAlias: 'days' });
      await kmsError(service.scheduleKeyDeletion(A, keyId, days), 'KMS.0308');
      expect((await service.describeKey(A, keyId)).keyState).toBe(KeyState.Enabled);
    },
  );

  it('takes fewer than 7 days only when an operator lowered minPendingDays (local testing), never below it', async () => {
    const clock = manualClock();
    const service = await KmsService.open({
      region: 'r',
      store: new MemoryKeyStore(),
      rootKey: RootKey.generate(),
      now: clock.now,
      minPendingDays: 1,
    });
    const { keyId } = await service.createKey(A, { keyAlias: 'dev' });
    await kmsError(service.scheduleKeyDeletion(A, keyId, 0), 'KMS.0308');
    expect((await service.scheduleKeyDeletion(A, keyId, 1)).scheduledDeletionDate).toBe(clock.now() + DAY_MS);
    for (const minPendingDays of [0, 8, 1.5]) {
      await expect(
        KmsService.open({ region: 'r', store: new MemoryKeyStore(), rootKey: RootKey.generate(), minPendingDays }),
      ).rejects.toThrow(/minPendingDays/);
    }
  });

  it('sets scheduled_deletion_date to now + pending_days, and clears it on cancel', async () => {
    const { service, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'dates' });
    const scheduled = await service.scheduleKeyDeletion(A, keyId, PENDING_DAYS_MAX);
    expect(scheduled.scheduledDeletionDate).toBe(clock.now() + PENDING_DAYS_MAX * DAY_MS);
    expect((await service.describeKey(A, keyId)).scheduledDeletionDate).toBe(clock.now() + PENDING_DAYS_MAX * DAY_MS);
    expect((await service.listKeys(A)).keys[0]!.scheduledDeletionDate).toBe(clock.now() + PENDING_DAYS_MAX * DAY_MS);
    const cancelled = await service.cancelKeyDeletion(A, keyId);
    expect(cancelled.keyState).toBe(KeyState.Disabled);
    expect(cancelled.scheduledDeletionDate ?? null).toBeNull();
    expect((await service.describeKey(A, keyId)).scheduledDeletionDate ?? null).toBeNull();
  });

  it('lets exactly one of concurrent disables win; the others see the key already disabled', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'race' });
    const results = await Promise.all(Array.from({ length: 6 }, () => outcome(service.disableKey(A, keyId))));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual(Array(5).fill({ ok: false, code: 'KMS.0209' }));
  });
});

describe('deletion is real', () => {
  it('purges a key 7 days after scheduling (not a millisecond before): its ciphertexts then answer as an unknown key', async () => {
    const { service, store, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'doomed' });
    const made = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await service.scheduleKeyDeletion(A, keyId, 7);
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext }), 'KMS.0210');

    clock.advance(7 * DAY_MS - 1);
    await expect(service.purgeDueKeys()).resolves.toEqual([]);
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext }), 'KMS.0210');

    clock.advance(1);
    // Due but not yet purged: already gone for every caller, and it can no longer be cancelled.
    await kmsError(service.cancelKeyDeletion(A, keyId), 'KMS.0207');
    expect(await service.listKeys(A)).toMatchObject({ keys: [], total: 0 });
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext }), 'KMS.0207');
    await expect(service.purgeDueKeys()).resolves.toEqual([keyId]);
    await expect(service.purgeDueKeys()).resolves.toEqual([]);
    expect(await store.scanKeys(undefined, 100)).toEqual([]);

    // Exactly as for a key that never existed.
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext }), 'KMS.0207');
    await kmsError(service.decryptDataKey(A, { ciphertext: made.ciphertext, keyId }), 'KMS.0207');
    await kmsError(service.describeKey(A, keyId), 'KMS.0207');
    await kmsError(service.describeKey(A, 'alias/doomed'), 'KMS.0207');
  });

  it('frees the alias and the quota slot', async () => {
    const clock = manualClock();
    const service = await KmsService.open({
      region: 'test-1',
      store: new MemoryKeyStore(),
      rootKey: RootKey.generate(),
      now: clock.now,
      maxKeysPerProject: 1,
    });
    const { keyId } = await service.createKey(A, { keyAlias: 'only' });
    await kmsError(service.createKey(A, { keyAlias: 'other' }), 'KMS.1105');
    await service.scheduleKeyDeletion(A, keyId, 7);
    clock.advance(7 * DAY_MS);
    await service.purgeDueKeys();
    const again = await service.createKey(A, { keyAlias: 'only' });
    expect(again.keyId).not.toBe(keyId);
  });

  it('purges keys of origin external scheduled while pending import', async () => {
    const { service, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'ext', origin: 'external' });
    await service.scheduleKeyDeletion(A, keyId, 7);
    clock.advance(7 * DAY_MS);
    await expect(service.purgeDueKeys()).resolves.toEqual([keyId]);
  });

  it('purges more than one batch in one call, and leaves keys not yet due', async () => {
    const { service, clock } = await setup();
    const due: string[] = [];
    for (let i = 0; i < PURGE_BATCH_SIZE + 5; i += 1) {
      const { keyId } = await service.createKey(A, { keyAlias: `k${i}` });
      await service.scheduleKeyDeletion(A, keyId, 7);
      due.push(keyId);
    }
    const later = (await service.createKey(A, { keyAlias: 'later' })).keyId;
    await service.scheduleKeyDeletion(A, later, 8);
    clock.advance(7 * DAY_MS);
    expect((await service.purgeDueKeys()).sort()).toEqual(due.sort());
    expect((await service.describeKey(A, later)).keyState).toBe(KeyState.PendingDeletion);
  });
});

describe('property: lifecycle and data keys', () => {
  type Step =
    | { op: 'enable' | 'disable' | 'cancel' | 'create-datakey' | 'decrypt-all' }
    | { op: 'schedule'; days: number }
    | { op: 'wait'; days: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constantFrom<Step>({ op: 'enable' }, { op: 'disable' }, { op: 'cancel' }, { op: 'create-datakey' }, { op: 'decrypt-all' }),
    fc.integer({ min: PENDING_DAYS_MIN, max: 10 }).map((days): Step => ({ op: 'schedule', days })),
    fc.integer({ min: 0, max: 12 }).map((days): Step => ({ op: 'wait', days })),
  );

  it('no disabled or pending key yields a data key or plaintext; every data key decrypts whenever enabled; nothing after purge', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const { service, clock } = await setup();
        const { keyId } = await service.createKey(A, { keyAlias: 'prop' });
        const made: { ciphertext: Buffer; plaintext: Buffer }[] = [];
        let purged = false;
        for (const s of steps) {
          if (s.op === 'wait') {
            clock.advance(s.days * DAY_MS);
            if ((await service.purgeDueKeys()).includes(keyId)) purged = true;
            continue;
          }
          const before = purged ? undefined : (await service.describeKey(A, keyId)).keyState;
          if (s.op === 'create-datakey') {
            const result = await outcome(service.createDataKey(A, { keyId, datakeyBits: 128 }).then((d) => made.push(d)));
            expect(result.ok).toBe(before === KeyState.Enabled);
          } else if (s.op === 'decrypt-all') {
            for (const dataKey of made) {
              try {
                const opened = await service.decryptDataKey(A, { ciphertext: dataKey.ciphertext });
                expect(before).toBe(KeyState.Enabled);
                expect(opened.plaintext).toEqual(dataKey.plaintext);
              } catch (error) {
                expect(error).toBeInstanceOf(KmsError);
                expect(before).not.toBe(KeyState.Enabled);
                if (purged) expect((error as KmsError).code).toBe('KMS.0207');
              }
            }
          } else {
            let call: Promise<unknown>;
            if (s.op === 'schedule') call = service.scheduleKeyDeletion(A, keyId, s.days);
            else if (s.op === 'enable') call = service.enableKey(A, keyId);
            else if (s.op === 'disable') call = service.disableKey(A, keyId);
            else call = service.cancelKeyDeletion(A, keyId);
            const result = await outcome(call);
            if (purged) expect(result).toEqual({ ok: false, code: 'KMS.0207' });
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
