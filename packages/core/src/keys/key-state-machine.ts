import type { KmsErrorCode } from '../errors';
import { KeyState } from './key-record';

/**
 * The one place that says what each operation on a key does in each key state. Every
 * operation that acts on one key consults it (a constant-time lookup of the record already
 * read: no extra store round trip). docs/key-states.md is this table in prose, and
 * key-state-machine.spec.ts walks every cell through the service.
 *
 * Extension point: a new operation on a key adds its name to KEY_OPERATIONS and one row to
 * KEY_STATE_TABLE (the `satisfies` below fails the build until every state has an answer).
 */
export const KEY_OPERATIONS = [
  'describe-key',
  'create-datakey',
  'encrypt-datakey',
  'decrypt-datakey',
  'enable-key',
  'disable-key',
  'schedule-key-deletion',
  'cancel-key-deletion',
  'enable-key-rotation',
  'disable-key-rotation',
  'update-key-rotation-interval',
  'rotate-on-demand',
  'get-key-rotation-status',
  'update-key-alias',
  'update-key-description',
] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

/**
 * What an operation does in a state: allowed (moving the key to `to`, or leaving it where it
 * is), or refused with a code and its message.
 *
 * `to: 'disabled-or-pending-import'` is cancel-key-deletion's target: the key returns to
 * disabled as the service does, unless it never had material (origin external), which
 * returns to pending import so it cannot be enabled without material.
 */
export type StateRule =
  | { readonly allowed: true; readonly to?: KeyState | 'disabled-or-pending-import' }
  | { readonly allowed: false; readonly code: KmsErrorCode; readonly message?: string };

const ok: StateRule = { allowed: true };
const disabled: StateRule = { allowed: false, code: 'KMS.0209' };
const pendingDeletion: StateRule = { allowed: false, code: 'KMS.0210' };
const pendingImport: StateRule = { allowed: false, code: 'KMS.0310' };
// The API documents no code for "not yet active" or for a transition from the wrong state;
// KMS.0308 (invalid parameter) is its generic refusal. See docs/key-states.md.
const notActive: StateRule = { allowed: false, code: 'KMS.0209', message: 'The key is not enabled.' };
const notDisabled: StateRule = { allowed: false, code: 'KMS.0308', message: 'Only a disabled key can be enabled.' };
const notEnabled: StateRule = { allowed: false, code: 'KMS.0308', message: 'Only an enabled key can be disabled.' };
const notPendingDeletion: StateRule = { allowed: false, code: 'KMS.0308', message: 'The key is not pending deletion.' };
const dataKeyRow = {
  [KeyState.WaitingActivation]: notActive,
  [KeyState.Enabled]: ok,
  [KeyState.Disabled]: disabled,
  [KeyState.PendingDeletion]: pendingDeletion,
  [KeyState.PendingImport]: pendingImport,
};
const toPendingDeletion: StateRule = { allowed: true, to: KeyState.PendingDeletion };
// Rotation settings and rotation itself need an enabled key (docs/key-states.md, "Key rotation"):
// the data-key row's refusals, so a key's state answers alike whatever is asked of it.
const rotationRow = dataKeyRow;
const readRow = {
  [KeyState.WaitingActivation]: ok,
  [KeyState.Enabled]: ok,
  [KeyState.Disabled]: ok,
  [KeyState.PendingDeletion]: ok,
  [KeyState.PendingImport]: ok,
};
// The API reference ("Modifying a Key Alias", "Modifying a Key Description") and the official
// SDK's KmsClient refuse these edits only for a key scheduled for deletion; every other state may be edited.
const editRow = {
  [KeyState.WaitingActivation]: ok,
  [KeyState.Enabled]: ok,
  [KeyState.Disabled]: ok,
  [KeyState.PendingDeletion]: pendingDeletion,
  [KeyState.PendingImport]: ok,
};

export const KEY_STATE_TABLE = {
  'describe-key': readRow,
  'create-datakey': dataKeyRow,
  'encrypt-datakey': dataKeyRow,
  'decrypt-datakey': dataKeyRow,
  'enable-key': {
    [KeyState.WaitingActivation]: notDisabled,
    [KeyState.Enabled]: notDisabled,
    [KeyState.Disabled]: { allowed: true, to: KeyState.Enabled },
    [KeyState.PendingDeletion]: pendingDeletion,
    [KeyState.PendingImport]: pendingImport,
  },
  'disable-key': {
    [KeyState.WaitingActivation]: notEnabled,
    [KeyState.Enabled]: { allowed: true, to: KeyState.Disabled },
    [KeyState.Disabled]: disabled,
    [KeyState.PendingDeletion]: pendingDeletion,
    [KeyState.PendingImport]: pendingImport,
  },
  // Any key may be scheduled for deletion, origin external ones pending import included.
  'schedule-key-deletion': {
    [KeyState.WaitingActivation]: toPendingDeletion,
    [KeyState.Enabled]: toPendingDeletion,
    [KeyState.Disabled]: toPendingDeletion,
    [KeyState.PendingDeletion]: pendingDeletion,
    [KeyState.PendingImport]: toPendingDeletion,
  },
  'cancel-key-deletion': {
    [KeyState.WaitingActivation]: notPendingDeletion,
    [KeyState.Enabled]: notPendingDeletion,
    [KeyState.Disabled]: notPendingDeletion,
    [KeyState.PendingDeletion]: { allowed: true, to: 'disabled-or-pending-import' },
    [KeyState.PendingImport]: notPendingDeletion,
  },
  'enable-key-rotation': rotationRow,
  'disable-key-rotation': rotationRow,
  'update-key-rotation-interval': rotationRow,
  'rotate-on-demand': rotationRow,
  // A read, like describe-key: any state answers the key's rotation settings.
  'get-key-rotation-status': readRow,
  'update-key-alias': editRow,
  'update-key-description': editRow,
} as const satisfies Record<KeyOperation, Record<KeyState, StateRule>>;

/** The rule for `operation` on a key in `state`. */
export function stateRule(operation: KeyOperation, state: KeyState): StateRule {
  return KEY_STATE_TABLE[operation][state];
}

/** The state an allowed transition moves a key to (its own state when the operation changes none). */
export function targetState(rule: StateRule & { allowed: true }, key: { keyState: KeyState; wrappedMaterial: Buffer | null }): KeyState {
  if (rule.to === undefined) return key.keyState;
  if (rule.to === 'disabled-or-pending-import') return key.wrappedMaterial ? KeyState.Disabled : KeyState.PendingImport;
  return rule.to;
}
