import { randomUUID } from 'node:crypto';
import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, openkms, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';

// Key rotation (enable-key-rotation, disable-key-rotation, update-key-rotation-interval,
// get-key-rotation-status, rotate-on-demand): the `rotation` area of the extended profile, optional
// (NOT IMPLEMENTED without the routes). Checks judge by the API reference's words; the state rules
// it leaves open are REFERENCE. Keys are left disabled; the run's cleanup schedules their deletion.

type RotationStatus = { key_rotation_enabled: boolean; rotation_interval: number; last_rotation_time: string; number_of_rotations: number };

const ENABLE = apiReference('Enabling Key Rotation (enable-key-rotation): key_id; "The default rotation interval is 365 days"');
const DISABLE = apiReference('Disabling Key Rotation (disable-key-rotation): key_id');
const INTERVAL = apiReference(
  'Changing the Rotation Interval (update-key-rotation-interval): rotation_interval "an integer ranging from 30 to 365"',
);
const STATUS = apiReference(
  'Querying the Rotation Status (get-key-rotation-status): key_rotation_enabled (default false), rotation_interval, last_rotation_time, number_of_rotations',
);
const ON_DEMAND = apiReference('On-demand Key Rotation (rotate-on-demand): key_id; answers key_id');

const status = async (c: CheckContext, keyId: string, what: string): Promise<RotationStatus> =>
  expectOk<RotationStatus>(c, await c.post('showKeyRotationStatus', { key_id: keyId }), what);
const disable = async (c: CheckContext, keyId: string): Promise<void> => {
  expectOk(c, await c.post('disableKey', { key_id: keyId }), 'disabling the key (left disabled for the cleanup)');
};

export const rotationChecks: readonly Check[] = [
  {
    id: 'CK-ROT-DEFAULTS',
    level: 'MUST',
    area: 'rotation',
    title: 'get-key-rotation-status of a new key: rotation disabled (false) and no rotation yet (number_of_rotations 0)',
    authority: [STATUS],
    acceptedCodes: [],
    reference: 'spec: showKeyRotationStatus, KeyRotationStatusResponse',
    keys: 1,
    async run(c) {
      const key = await c.newKey('rot-new');
      const fresh = await status(c, key.keyId, 'the rotation status of a new key');
      ensure(fresh.key_rotation_enabled === false, `key_rotation_enabled is ${String(fresh.key_rotation_enabled)}, expected false`);
      ensure(fresh.number_of_rotations === 0, `number_of_rotations is ${fresh.number_of_rotations}, expected 0`);
      await disable(c, key.keyId);
    },
  },
  {
    id: 'CK-ROT-ENABLE-DISABLE',
    level: 'MUST',
    area: 'rotation',
    title: 'enable-key-rotation turns rotation on with the default 365-day interval; disable-key-rotation turns it off',
    authority: [ENABLE, DISABLE, STATUS],
    acceptedCodes: [],
    reference: 'spec: enableKeyRotation, disableKeyRotation, showKeyRotationStatus',
    keys: 1,
    async run(c) {
      const key = await c.newKey('rot-enable');
      expectOk(c, await c.post('enableKeyRotation', { key_id: key.keyId }), 'enable-key-rotation');
      const on = await status(c, key.keyId, 'the status after enable-key-rotation');
      ensure(on.key_rotation_enabled === true, `key_rotation_enabled is ${String(on.key_rotation_enabled)} after enabling, expected true`);
      ensure(on.rotation_interval === 365, `rotation_interval is ${on.rotation_interval}, expected the default 365`);
      expectOk(c, await c.post('disableKeyRotation', { key_id: key.keyId }), 'disable-key-rotation');
      const off = await status(c, key.keyId, 'the status after disable-key-rotation');
      ensure(
        off.key_rotation_enabled === false,
        `key_rotation_enabled is ${String(off.key_rotation_enabled)} after disabling, expected false`,
      );
      await disable(c, key.keyId);
    },
  },
  {
    id: 'CK-ROT-INTERVAL',
    level: 'MUST',
    area: 'rotation',
    title: 'update-key-rotation-interval takes 30 and 365, and get-key-rotation-status shows the interval set',
    authority: [INTERVAL, STATUS],
    acceptedCodes: [],
    reference: 'spec: updateKeyRotationInterval, UpdateKeyRotationIntervalRequest.rotation_interval',
    keys: 1,
    async run(c) {
      const key = await c.newKey('rot-interval');
      expectOk(c, await c.post('enableKeyRotation', { key_id: key.keyId }), 'enable-key-rotation');
      for (const days of [30, 365]) {
        expectOk(c, await c.post('updateKeyRotationInterval', { key_id: key.keyId, rotation_interval: days }), `rotation_interval ${days}`);
        const set = await status(c, key.keyId, `the status after setting ${days} days`);
        ensure(set.rotation_interval === days, `rotation_interval is ${set.rotation_interval}, expected ${days}`);
      }
      await disable(c, key.keyId);
    },
  },
  {
    id: 'CK-ROT-INTERVAL-RANGE',
    level: 'MUST',
    area: 'rotation',
    title: 'update-key-rotation-interval refuses 29 and 366 days with a 400, the interval unchanged',
    authority: [INTERVAL, errorTable('KMS.0308 invalid parameter')],
    acceptedCodes: ['400 KMS.*'],
    reference: 'spec: UpdateKeyRotationIntervalRequest.rotation_interval',
    keys: 1,
    referenceTwin: { id: 'CK-REF-ROT-INTERVAL-RANGE', acceptedCodes: ['400 KMS.0308'] },
    async run(c) {
      const key = await c.newKey('rot-range');
      expectOk(c, await c.post('updateKeyRotationInterval', { key_id: key.keyId, rotation_interval: 90 }), 'rotation_interval 90');
      for (const days of [29, 366]) {
        const response = await c.post('updateKeyRotationInterval', { key_id: key.keyId, rotation_interval: days });
        expectRejected(c, response, ['400 KMS.*'], '400 KMS.0308', `rotation_interval ${days}`);
      }
      const kept = await status(c, key.keyId, 'the status after the refusals');
      ensure(kept.rotation_interval === 90, `rotation_interval is ${kept.rotation_interval} after refused updates, expected 90`);
      await disable(c, key.keyId);
    },
  },
  {
    id: 'CK-ROT-ON-DEMAND',
    level: 'MUST',
    area: 'rotation',
    title: 'rotate-on-demand answers the key ID and counts one rotation; a data key made before it still decrypts, and one made after',
    authority: [ON_DEMAND, STATUS, apiReference('Decrypting a DEK (decrypt-datakey)')],
    acceptedCodes: [],
    reference: 'spec: rotateOnDemand, RotateOnDemandResponse; docs/key-rotation.md',
    keys: 1,
    async run(c) {
      const key = await c.newKey('rot-demand');
      const made = async (what: string) =>
        expectOk<{ plain_text: string; cipher_text: string }>(c, await c.createDatakey({ key_id: key.keyId, datakey_length: '256' }), what);
      const before = await made('a data key before the rotation');
      const count = (await status(c, key.keyId, 'the status before the rotation')).number_of_rotations;
      const rotated = expectOk<{ key_id: string }>(c, await c.post('rotateOnDemand', { key_id: key.keyId }), 'rotate-on-demand');
      ensure(rotated.key_id === key.keyId, `rotate-on-demand answered key_id ${rotated.key_id}, expected ${key.keyId}`);
      const after = await status(c, key.keyId, 'the status after the rotation');
      ensure(after.number_of_rotations === count + 1, `number_of_rotations is ${after.number_of_rotations}, expected ${count + 1}`);
      const later = await made('a data key after the rotation');
      for (const [dataKey, what] of [
        [before, 'the data key made before the rotation'],
        [later, 'the data key made after it'],
      ] as const) {
        const opened = expectOk<{ data_key: string }>(
          c,
          await c.post('decryptDatakey', { key_id: key.keyId, cipher_text: dataKey.cipher_text, datakey_cipher_length: '32' }),
          `decrypting ${what}`,
        );
        ensure(opened.data_key === dataKey.plain_text, `decrypting ${what} gave another data key`);
      }
      await disable(c, key.keyId);
    },
  },
  {
    id: 'CK-ROT-UNKNOWN-KEY',
    level: 'MUST',
    area: 'rotation',
    title: 'get-key-rotation-status and rotate-on-demand of a key that does not exist are 404 KMS.0207',
    authority: [STATUS, ON_DEMAND, errorTable('KMS.0207 the key does not exist')],
    acceptedCodes: DOCUMENTED.keyNotFound,
    reference: 'spec: showKeyRotationStatus, rotateOnDemand (KMS.0207)',
    keys: 0,
    async run(c) {
      for (const operation of ['showKeyRotationStatus', 'rotateOnDemand'] as const) {
        expectRejected(
          c,
          await c.post(operation, { key_id: randomUUID() }),
          DOCUMENTED.keyNotFound,
          '404 KMS.0207',
          `${operation} of an unknown key`,
        );
      }
    },
  },
  {
    id: 'CK-ROT-DISABLED-KEY',
    level: 'REFERENCE',
    area: 'rotation',
    title: 'a disabled key refuses rotate-on-demand and rotation changes with KMS.0209 (docs/key-states.md) and still answers its status',
    authority: [openkms('docs/key-states.md (rotation rows)')],
    acceptedCodes: ['400 KMS.0209'],
    reference: 'spec: rotateOnDemand, enableKeyRotation, updateKeyRotationInterval; docs/key-states.md',
    keys: 1,
    async run(c) {
      const key = await c.newKey('rot-disabled');
      await disable(c, key.keyId);
      expectRejected(c, await c.post('rotateOnDemand', { key_id: key.keyId }), [], '400 KMS.0209', 'rotate-on-demand of a disabled key');
      expectRejected(
        c,
        await c.post('enableKeyRotation', { key_id: key.keyId }),
        [],
        '400 KMS.0209',
        'enable-key-rotation of a disabled key',
      );
      const response = await c.post('updateKeyRotationInterval', { key_id: key.keyId, rotation_interval: 60 });
      expectRejected(c, response, [], '400 KMS.0209', 'update-key-rotation-interval of a disabled key');
      await status(c, key.keyId, 'the rotation status of a disabled key');
    },
  },
];
