import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { RootKey } from '../crypto/root-key';
import { decodeDataCiphertext } from '../ciphertext/data-ciphertext';
import { decodeDatakeyBlob } from '../ciphertext/datakey-blob';
import { KmsError, type KmsErrorCode } from '../errors';
import { KeyState, type KeyRecord, type Scope } from '../keys/key-record';
import { MemoryKeyStore } from '../store/memory-key-store';
import type { KeyStore } from '../store/key-store';
import { DAY_MS } from './key-lifecycle';
import { ROTATION_INTERVAL_MAX_DAYS, ROTATION_INTERVAL_MIN_DAYS } from './key-rotation';
import { KmsService } from './kms-service';
import { rewrapAllKeys } from './root-key-rotation';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteKeyStore } from '../store/sqlite-key-store';
import { backupSqliteStore } from '../store/sqlite-backup';

const A: Scope = { domainId: 'c1'.repeat(16), projectId: 'c2'.repeat(16) };
const T0 = 1_760_000_000_000;

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

async function codeOf(promise: Promise<unknown>): Promise<KmsErrorCode | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (!(error instanceof KmsError)) throw error;
    return error.code;
  }
}

describe('key rotation: settings', () => {
  it('starts disabled with the default 365-day interval and no rotation', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'fresh' });
    expect(await service.getKeyRotationStatus(A, keyId)).toEqual({
      keyId,
      rotationEnabled: false,
      rotationIntervalDays: 365,
      lastRotationTime: undefined,
      numberOfRotations: 0,
    });
  });

  it('enables, updates the interval, and disables; each is stored and shown', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'settings' });
    expect((await service.enableKeyRotation(A, 'alias/settings')).rotationEnabled).toBe(true);
    expect((await service.getKeyRotationStatus(A, keyId)).rotationEnabled).toBe(true);
    await service.updateKeyRotationInterval(A, keyId, 30);
    expect((await service.getKeyRotationStatus(A, keyId)).rotationIntervalDays).toBe(30);
    await service.disableKeyRotation(A, keyId);
    expect(await service.getKeyRotationStatus(A, keyId)).toMatchObject({ rotationEnabled: false, rotationIntervalDays: 30 });
  });

  it.each([ROTATION_INTERVAL_MIN_DAYS - 1, ROTATION_INTERVAL_MAX_DAYS + 1, 0, -30, 30.5, Number.NaN])(
    'refuses rotation_interval %p with KMS.0308 and keeps the interval',
    async (days) => {
      const { service } = await setup();
      const { keyId } = await service.createKey(A, { keyAlias: 'interval' });
      expect(await codeOf(service.updateKeyRotationInterval(A, keyId, days))).toBe('KMS.0308');
      expect((await service.getKeyRotationStatus(A, keyId)).rotationIntervalDays).toBe(365);
    },
  );

  it('answers KMS.0207 for a key of another project and KMS.0205 for no key reference', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'mine' });
    const other = { ...A, projectId: 'd2'.repeat(16) };
    expect(await codeOf(service.rotateKeyOnDemand(other, keyId))).toBe('KMS.0207');
    expect(await codeOf(service.enableKeyRotation(A, randomUUID()))).toBe('KMS.0207');
    expect(await codeOf(service.getKeyRotationStatus(A, 'nope'))).toBe('KMS.0205');
  });

  it('refuses a key with imported material (origin external) with KMS.0308 even when enabled', async () => {
    const { service, store, rootKey } = await setup();
    // No operation makes an enabled external key yet (import is a later step): insert one.
    const keyId = randomUUID();
    const record: KeyRecord = {
      keyId,
      ...A,
      keyAlias: 'imported',
      keyDescription: '',
      origin: 'external',
      keyState: KeyState.Enabled,
      enterpriseProjectId: '0',
      creationDate: T0,
      wrappedMaterial: rootKey.wrap(randomBytes(32), { ...A, keyId }),
    };
    await store.insertKey(record, { maxKeysPerProject: 10 });
    for (const call of [
      service.enableKeyRotation(A, keyId),
      service.disableKeyRotation(A, keyId),
      service.updateKeyRotationInterval(A, keyId, 60),
      service.rotateKeyOnDemand(A, keyId),
    ]) {
      expect(await codeOf(call)).toBe('KMS.0308');
    }
    expect((await service.getKeyRotationStatus(A, keyId)).rotationEnabled).toBe(false);
  });
});

describe('key rotation: material versions', () => {
  it('seals new data keys and data under the newest version, and opens every older one', async () => {
    const { service, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'versions' });
    const v1 = await service.createDataKey(A, { keyId, datakeyBits: 256, encryptionContext: { a: 'b' } });
    const d1 = await service.encryptData(A, { keyId, plaintext: 'first' });
    expect(decodeDatakeyBlob(v1.ciphertext)?.materialVersion).toBeUndefined();
    expect(v1.ciphertext.subarray(0, 2).toString('hex')).toBe('0200');
    expect(d1.ciphertext.subarray(0, 2).toString('hex')).toBe('4401');

    clock.advance(1000);
    const status = await service.rotateKeyOnDemand(A, keyId);
    expect(status).toMatchObject({ numberOfRotations: 1, lastRotationTime: T0 + 1000 });
    const v2 = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const d2 = await service.encryptData(A, { keyId, plaintext: 'second' });
    expect(v2.ciphertext.subarray(0, 2).toString('hex')).toBe('0300');
    expect(decodeDatakeyBlob(v2.ciphertext)?.materialVersion).toBe(2);
    expect(decodeDataCiphertext(d2.ciphertext)?.materialVersion).toBe(2);
    await service.rotateKeyOnDemand(A, keyId);
    const v3 = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    expect(decodeDatakeyBlob(v3.ciphertext)?.materialVersion).toBe(3);

    expect((await service.decryptDataKey(A, { ciphertext: v1.ciphertext, encryptionContext: { a: 'b' } })).plaintext).toEqual(v1.plaintext);
    expect((await service.decryptDataKey(A, { ciphertext: v2.ciphertext })).plaintext).toEqual(v2.plaintext);
    expect((await service.decryptDataKey(A, { ciphertext: v3.ciphertext })).plaintext).toEqual(v3.plaintext);
    expect((await service.decryptData(A, { ciphertext: d1.ciphertext })).plaintext.toString()).toBe('first');
    expect((await service.decryptData(A, { ciphertext: d2.ciphertext })).plaintext.toString()).toBe('second');
    expect((await service.getKeyRotationStatus(A, keyId)).numberOfRotations).toBe(2);
    // No version of the material leaves the core, wrapped or not.
    const described = await service.describeKey(A, keyId);
    expect(described.wrappedMaterial).toBeNull();
    expect(described.rotatedMaterials).toBeUndefined();
    expect((await service.listKeys(A)).keys.every((key) => key.rotatedMaterials === undefined)).toBe(true);
  });

  it('uses fresh material for each version: a version-2 blob relabelled as version 3 does not open (KMS.2203)', async () => {
    const { service } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'relabel' });
    await service.rotateKeyOnDemand(A, keyId);
    const made = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await service.rotateKeyOnDemand(A, keyId);
    const relabelled = relabelVersion(made.ciphertext, 3);
    expect(await codeOf(service.decryptDataKey(A, { ciphertext: relabelled }))).toBe('KMS.2203');
    // A version the key never had is the same answer, never a server error.
    expect(await codeOf(service.decryptDataKey(A, { ciphertext: relabelVersion(made.ciphertext, 9) }))).toBe('KMS.2203');
  });

  it('rewraps every material version under a new root key; everything still opens with only the new root key', async () => {
    const store = new MemoryKeyStore();
    const { service, rootKey } = await setup(store);
    const { keyId } = await service.createKey(A, { keyAlias: 'rewrap' });
    const old = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await service.rotateKeyOnDemand(A, keyId);
    await service.rotateKeyOnDemand(A, keyId);
    const newest = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    const next = RootKey.generate();
    const report = await rewrapAllKeys({ store, rootKey: next, previousRootKeys: [rootKey] });
    expect(report).toMatchObject({ finished: true, rewrapped: 1 });
    const reopened = await KmsService.open({ region: 'test-1', store, rootKey: next });
    expect((await reopened.decryptDataKey(A, { ciphertext: old.ciphertext })).plaintext).toEqual(old.plaintext);
    expect((await reopened.decryptDataKey(A, { ciphertext: newest.ciphertext })).plaintext).toEqual(newest.plaintext);
    const record = (await store.findKeyById(A, keyId))!;
    expect(record.rotatedMaterials).toHaveLength(2);
    for (const wrapped of record.rotatedMaterials!) expect(next.unwrap(wrapped, record)).toBeDefined();
  });

  it('keeps versions and settings across disable, enable, schedule and cancel; the purge destroys every version', async () => {
    const { service, store, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'lifecycle' });
    await service.enableKeyRotation(A, keyId);
    await service.rotateKeyOnDemand(A, keyId);
    const made = await service.createDataKey(A, { keyId, datakeyBits: 256 });
    await service.disableKey(A, keyId);
    expect(await codeOf(service.rotateKeyOnDemand(A, keyId))).toBe('KMS.0209');
    await service.scheduleKeyDeletion(A, keyId, 7);
    await service.cancelKeyDeletion(A, keyId);
    await service.enableKey(A, keyId);
    expect(await service.getKeyRotationStatus(A, keyId)).toMatchObject({ rotationEnabled: true, numberOfRotations: 1 });
    expect((await service.decryptDataKey(A, { ciphertext: made.ciphertext })).plaintext).toEqual(made.plaintext);
    await service.scheduleKeyDeletion(A, keyId, 7);
    clock.advance(7 * DAY_MS);
    expect(await service.purgeDueKeys()).toEqual([keyId]);
    expect(await store.scanKeys(undefined, 10)).toEqual([]);
    expect(await codeOf(service.decryptDataKey(A, { ciphertext: made.ciphertext }))).toBe('KMS.0207');
  });
});

describe('key rotation: backup', () => {
  it('a SQLite backup keeps every material version and the rotation settings: old and new data keys open from the copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openkms-rotation-backup-'));
    try {
      const store = new SqliteKeyStore(join(dir, 'keys.sqlite'));
      const { service, rootKey } = await setup(store);
      const { keyId } = await service.createKey(A, { keyAlias: 'backed-up' });
      const old = await service.createDataKey(A, { keyId, datakeyBits: 256 });
      await service.rotateKeyOnDemand(A, keyId);
      await service.enableKeyRotation(A, keyId);
      const newest = await service.createDataKey(A, { keyId, datakeyBits: 256 });
      await backupSqliteStore(join(dir, 'keys.sqlite'), join(dir, 'copy.sqlite'));
      await store.close();
      const copy = new SqliteKeyStore(join(dir, 'copy.sqlite'));
      try {
        const restored = await KmsService.open({ region: 'test-1', store: copy, rootKey });
        expect(await restored.getKeyRotationStatus(A, keyId)).toMatchObject({ rotationEnabled: true, numberOfRotations: 1 });
        for (const made of [old, newest]) {
          expect((await restored.decryptDataKey(A, { ciphertext: made.ciphertext })).plaintext).toEqual(made.plaintext);
        }
      } finally {
        await copy.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('key rotation: automatic', () => {
  it('rotates a key once when its interval has passed, counted from enabling, then from the last rotation', async () => {
    const { service, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'auto' });
    const untouched = (await service.createKey(A, { keyAlias: 'not-enabled' })).keyId;
    await service.enableKeyRotation(A, keyId);
    await service.updateKeyRotationInterval(A, keyId, 30);
    clock.advance(30 * DAY_MS - 1);
    expect(await service.rotateDueKeys()).toEqual([]);
    clock.advance(1);
    expect(await service.rotateDueKeys()).toEqual([keyId]);
    expect(await service.rotateDueKeys()).toEqual([]);
    expect(await service.getKeyRotationStatus(A, keyId)).toMatchObject({ numberOfRotations: 1, lastRotationTime: clock.now() });
    clock.advance(30 * DAY_MS);
    expect(await service.rotateDueKeys()).toEqual([keyId]);
    expect((await service.getKeyRotationStatus(A, untouched)).numberOfRotations).toBe(0);
  });

  it('skips a disabled key, and rotates it at the first check once it is enabled again', async () => {
    const { service, clock } = await setup();
    const { keyId } = await service.createKey(A, { keyAlias: 'paused' });
    await service.enableKeyRotation(A, keyId);
    await service.disableKey(A, keyId);
    clock.advance(400 * DAY_MS);
    expect(await service.rotateDueKeys()).toEqual([]);
    await service.enableKey(A, keyId);
    expect(await service.rotateDueKeys()).toEqual([keyId]);
  });

  it('rotates each due key once when two services run it together over one store', async () => {
    const store = new MemoryKeyStore();
    const { service: first, rootKey, clock } = await setup(store);
    const second = await KmsService.open({ region: 'test-1', store, rootKey, now: clock.now });
    const keys: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { keyId } = await first.createKey(A, { keyAlias: `due-${i}` });
      await first.enableKeyRotation(A, keyId);
      keys.push(keyId);
    }
    clock.advance(365 * DAY_MS);
    const [a, b] = await Promise.all([first.rotateDueKeys(), second.rotateDueKeys()]);
    expect([...a, ...b].sort()).toEqual([...keys].sort());
    for (const keyId of keys) expect((await first.getKeyRotationStatus(A, keyId)).numberOfRotations).toBe(1);
  });
});

describe('property: rotation keeps every ciphertext readable until the purge', () => {
  type Step = { op: 'datakey' | 'data' | 'rotate' | 'disable' | 'enable' | 'decrypt-all' | 'auto' } | { op: 'wait'; days: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constantFrom<Step>(
      { op: 'datakey' },
      { op: 'data' },
      { op: 'rotate' },
      { op: 'disable' },
      { op: 'enable' },
      { op: 'decrypt-all' },
      { op: 'auto' },
    ),
    fc.integer({ min: 0, max: 40 }).map((days): Step => ({ op: 'wait', days })),
  );

  it('every data key and ciphertext made while enabled decrypts whenever the key is enabled, across rotations; none while disabled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), fc.boolean(), fc.boolean(), async (steps, automatic, purgeAtEnd) => {
        const { service, clock } = await setup();
        const { keyId } = await service.createKey(A, { keyAlias: 'prop' });
        if (automatic) await service.enableKeyRotation(A, keyId).then(() => service.updateKeyRotationInterval(A, keyId, 30));
        const dataKeys: { ciphertext: Buffer; plaintext: Buffer }[] = [];
        const data: { ciphertext: Buffer; text: string }[] = [];
        let rotations = 0;
        for (const s of steps) {
          const enabled = (await service.describeKey(A, keyId)).keyState === KeyState.Enabled;
          if (s.op === 'wait') {
            clock.advance(s.days * DAY_MS);
          } else if (s.op === 'auto') {
            rotations += (await service.rotateDueKeys()).length;
          } else if (s.op === 'datakey') {
            const result = await codeOf(service.createDataKey(A, { keyId, datakeyBits: 128 }).then((made) => dataKeys.push(made)));
            expect(result).toBe(enabled ? 'ok' : 'KMS.0209');
          } else if (s.op === 'data') {
            const text = `text ${data.length}`;
            const result = await codeOf(service.encryptData(A, { keyId, plaintext: text }).then((made) => data.push({ ...made, text })));
            expect(result).toBe(enabled ? 'ok' : 'KMS.0209');
          } else if (s.op === 'rotate') {
            const result = await codeOf(service.rotateKeyOnDemand(A, keyId));
            expect(result).toBe(enabled ? 'ok' : 'KMS.0209');
            if (result === 'ok') rotations += 1;
          } else if (s.op === 'disable' || s.op === 'enable') {
            await codeOf(s.op === 'disable' ? service.disableKey(A, keyId) : service.enableKey(A, keyId));
          } else {
            for (const made of dataKeys) {
              const opened = service.decryptDataKey(A, { ciphertext: made.ciphertext });
              if (enabled) expect((await opened).plaintext).toEqual(made.plaintext);
              else expect(await codeOf(opened)).toBe('KMS.0209');
            }
            for (const made of data) {
              const opened = service.decryptData(A, { ciphertext: made.ciphertext });
              if (enabled) expect((await opened).plaintext.toString('utf8')).toBe(made.text);
              else expect(await codeOf(opened)).toBe('KMS.0209');
            }
          }
        }
        expect((await service.getKeyRotationStatus(A, keyId)).numberOfRotations).toBe(rotations);
        // Finally, enabled: everything ever made opens.
        await codeOf(service.enableKey(A, keyId));
        for (const made of dataKeys)
          expect((await service.decryptDataKey(A, { ciphertext: made.ciphertext })).plaintext).toEqual(made.plaintext);
        for (const made of data)
          expect((await service.decryptData(A, { ciphertext: made.ciphertext })).plaintext.toString('utf8')).toBe(made.text);
        if (!purgeAtEnd) return;
        // After the purge nothing made under any version decrypts: the same answer as a key that never existed.
        await service.scheduleKeyDeletion(A, keyId, 7);
        clock.advance(7 * DAY_MS);
        expect(await service.purgeDueKeys()).toEqual([keyId]);
        for (const made of dataKeys) expect(await codeOf(service.decryptDataKey(A, { ciphertext: made.ciphertext }))).toBe('KMS.0207');
        for (const made of data) expect(await codeOf(service.decryptData(A, { ciphertext: made.ciphertext }))).toBe('KMS.0207');
      }),
      { numRuns: 100 },
    );
  });
});

/** A format-3 blob with another material version written in, its checksum recomputed: intact, but not what was sealed. */
function relabelVersion(blob: Buffer, version: number): Buffer {
  const copy = Buffer.from(blob);
  const keyIdEnd = copy.readUInt16LE(2);
  copy.writeUInt32BE(version, keyIdEnd);
  const body = copy.subarray(0, keyIdEnd + 4);
  createHash('sha256')
    .update(body)
    .digest()
    .copy(copy, keyIdEnd + 4);
  return copy;
}
