import type { HttpResponse } from '../http/kms-http';
import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, openkms, type Check } from './check';
import type { CheckContext } from './context';

// The key lifecycle (enable-key, disable-key, schedule-key-deletion, cancel-key-deletion): the
// `lifecycle` area of the extended profile. Every key a check makes is left disabled or pending
// deletion; the run's cleanup schedules the deletion of the rest (and counts a key already
// pending deletion as cleaned up).

type StateBody = { key_id: string; key_state: string };
type StatusInfoBody = { key_info: StateBody };

const ENABLE = apiReference('Enable a key (enable-key): only a disabled key can be enabled; key_info {key_id, key_state}');
const DISABLE = apiReference('Disable a key (disable-key): a disabled key cannot be used; key_info {key_id, key_state}');
const SCHEDULE = apiReference('Schedule the deletion of a key (schedule-key-deletion): pending_days 7 to 1096; key_id, key_state');
const CANCEL = apiReference('Cancel the deletion of a key (cancel-key-deletion): the key returns to disabled; key_id, key_state');
const STATE_CODES = errorTable('KMS.0209 the key is disabled, KMS.0210 the key is pending deletion');

/** Any refusal with a KMS error body and a 4xx status: the documents name no status for a refused use. */
const ANY_REFUSAL = ['400 KMS.*', '403 KMS.*', '409 KMS.*'];

const send = (c: CheckContext, operation: 'enableKey' | 'disableKey' | 'cancelKeyDeletion', keyId: string): Promise<HttpResponse> =>
  c.post(operation, { key_id: keyId });
const schedule = (c: CheckContext, keyId: string, pendingDays: string): Promise<HttpResponse> =>
  c.post('scheduleKeyDeletion', { key_id: keyId, pending_days: pendingDays });
const newDatakey = (c: CheckContext, keyId: string): Promise<HttpResponse> => c.createDatakey({ key_id: keyId, datakey_length: '512' });

function expectState(body: StateBody, keyId: string, state: string, what: string): void {
  ensure(body.key_id === keyId, `${what}: key_id is ${body.key_id}, expected ${keyId}`);
  ensure(body.key_state === state, `${what}: key_state is ${body.key_state}, expected ${state}`);
}

export const lifecycleChecks: readonly Check[] = [
  {
    id: 'CK-LIFE-DISABLE-ENABLE',
    level: 'MUST',
    area: 'lifecycle',
    title: 'disable-key makes a key refuse create-datakey (state 3); enable-key makes it usable again (state 2)',
    authority: [DISABLE, ENABLE, STATE_CODES],
    acceptedCodes: ANY_REFUSAL,
    reference: 'spec: disableKey, enableKey; docs/key-states.md',
    keys: 1,
    referenceTwin: { id: 'CK-LIFE-DISABLE-ENABLE-EXACT', acceptedCodes: ['400 KMS.0209'] },
    async run(c) {
      const key = await c.newKey('life-disable');
      const disabled = expectOk<StatusInfoBody>(c, await send(c, 'disableKey', key.keyId), 'disabling an enabled key');
      expectState(disabled.key_info, key.keyId, '3', 'disable-key');
      expectRejected(c, await newDatakey(c, key.keyId), ANY_REFUSAL, '400 KMS.0209', 'create-datakey under a disabled key');
      const enabled = expectOk<StatusInfoBody>(c, await send(c, 'enableKey', key.keyId), 'enabling a disabled key');
      expectState(enabled.key_info, key.keyId, '2', 'enable-key');
      expectOk(c, await newDatakey(c, key.keyId), 'create-datakey under the key enabled again');
      expectOk(c, await send(c, 'disableKey', key.keyId), 'disabling the key again (left disabled)');
    },
  },
  {
    id: 'CK-LIFE-SCHEDULE-CANCEL',
    level: 'MUST',
    area: 'lifecycle',
    title: 'schedule-key-deletion moves a key to 4 and it refuses create-datakey; cancel-key-deletion returns it to disabled (3)',
    authority: [SCHEDULE, CANCEL, STATE_CODES],
    acceptedCodes: ANY_REFUSAL,
    reference: 'spec: scheduleKeyDeletion, cancelKeyDeletion; docs/key-states.md',
    keys: 1,
    referenceTwin: { id: 'CK-LIFE-SCHEDULE-CANCEL-EXACT', acceptedCodes: ['400 KMS.0210'] },
    async run(c) {
      const key = await c.newKey('life-schedule');
      const scheduled = expectOk<StateBody>(c, await schedule(c, key.keyId, '7'), 'scheduling the deletion (pending_days 7)');
      expectState(scheduled, key.keyId, '4', 'schedule-key-deletion');
      expectRejected(c, await newDatakey(c, key.keyId), ANY_REFUSAL, '400 KMS.0210', 'create-datakey under a key pending deletion');
      const cancelled = expectOk<StateBody>(c, await send(c, 'cancelKeyDeletion', key.keyId), 'cancelling the deletion');
      expectState(cancelled, key.keyId, '3', 'cancel-key-deletion');
      expectRejected(c, await newDatakey(c, key.keyId), ANY_REFUSAL, '400 KMS.0209', 'create-datakey under the key back to disabled');
      expectOk(c, await schedule(c, key.keyId, '7'), 'scheduling the deletion again (a disabled key)');
    },
  },
  {
    id: 'CK-LIFE-PENDING-DAYS',
    level: 'MUST',
    area: 'lifecycle',
    title: 'schedule-key-deletion refuses pending_days outside 7 to 1096 and accepts 1096',
    authority: [SCHEDULE],
    acceptedCodes: ['400 KMS.*'],
    reference: 'spec: ScheduleKeyDeletionRequest.pending_days',
    keys: 1,
    referenceTwin: { id: 'CK-LIFE-PENDING-DAYS-EXACT', acceptedCodes: ['400 KMS.0308'] },
    async run(c) {
      const key = await c.newKey('life-days');
      for (const days of ['6', '1097', '0']) {
        expectRejected(c, await schedule(c, key.keyId, days), ['400 KMS.*'], '400 KMS.0308', `pending_days ${days}`);
      }
      const scheduled = expectOk<StateBody>(c, await schedule(c, key.keyId, '1096'), 'pending_days 1096');
      expectState(scheduled, key.keyId, '4', 'schedule-key-deletion with 1096 days');
    },
  },
  {
    id: 'CK-LIFE-WRONG-STATE',
    level: 'REFERENCE',
    area: 'lifecycle',
    title: 'each transition from a state that does not allow it is refused with the code of docs/key-states.md, the key unchanged',
    authority: [openkms('docs/key-states.md (the state table)')],
    acceptedCodes: ['400 KMS.0308', '400 KMS.0209', '400 KMS.0210'],
    reference: 'spec: enableKey, disableKey, scheduleKeyDeletion, cancelKeyDeletion; docs/key-states.md',
    keys: 1,
    async run(c) {
      const key = await c.newKey('life-wrong');
      expectRejected(c, await send(c, 'enableKey', key.keyId), [], '400 KMS.0308', 'enable-key on an enabled key');
      expectRejected(c, await send(c, 'cancelKeyDeletion', key.keyId), [], '400 KMS.0308', 'cancel-key-deletion on an enabled key');
      expectOk(c, await send(c, 'disableKey', key.keyId), 'disabling the key');
      expectRejected(c, await send(c, 'disableKey', key.keyId), [], '400 KMS.0209', 'disable-key on a disabled key');
      expectOk(c, await schedule(c, key.keyId, '7'), 'scheduling the deletion');
      expectRejected(c, await schedule(c, key.keyId, '7'), [], '400 KMS.0210', 'schedule-key-deletion on a key pending deletion');
      expectRejected(c, await send(c, 'enableKey', key.keyId), [], '400 KMS.0210', 'enable-key on a key pending deletion');
      expectRejected(c, await send(c, 'disableKey', key.keyId), [], '400 KMS.0210', 'disable-key on a key pending deletion');
    },
  },
  {
    id: 'CK-LIFE-DELETION-DATE',
    level: 'SHOULD',
    area: 'lifecycle',
    title: 'describe-key shows key_state 4 and a scheduled_deletion_date about pending_days after now; empty again after cancel',
    authority: [SCHEDULE, apiReference('Query key details (describe-key): scheduled_deletion_date')],
    acceptedCodes: [],
    reference: 'spec: KeyDetails.scheduled_deletion_date; docs/key-states.md',
    keys: 1,
    async run(c) {
      const key = await c.newKey('life-date');
      const describe = async () =>
        expectOk<{ key_info: { key_state: string; scheduled_deletion_date: string; creation_date: string } }>(
          c,
          await c.post('describeKey', { key_id: key.keyId }),
          'describing the key',
        ).key_info;
      expectOk(c, await schedule(c, key.keyId, '30'), 'scheduling the deletion in 30 days');
      const pending = await describe();
      ensure(pending.key_state === '4', `key_state is ${pending.key_state}, expected 4`);
      const date = Number(pending.scheduled_deletion_date);
      const created = Number(pending.creation_date);
      const day = 86_400_000;
      // Clocks differ: the date is compared with the key's own creation date (made a moment ago).
      ensure(
        /^[0-9]+$/.test(pending.scheduled_deletion_date) && date >= created + 29 * day && date <= created + 31 * day,
        `scheduled_deletion_date is "${pending.scheduled_deletion_date}", expected about 30 days after creation_date ${pending.creation_date}`,
      );
      expectOk(c, await send(c, 'cancelKeyDeletion', key.keyId), 'cancelling the deletion');
      const cancelled = await describe();
      ensure(
        cancelled.scheduled_deletion_date === '',
        `after cancel, scheduled_deletion_date is "${cancelled.scheduled_deletion_date}", expected ""`,
      );
    },
  },
];
