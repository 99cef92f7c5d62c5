// Example: startOpenKms from node:test (ESM, no transpiler); run by runners.spec.ts as `node --test`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startOpenKms } from '@openkms/server/testing';

const KEY_ID = '7a3c9e1f-2b4d-4f6a-8c0e-1d2f3a4b5c6d';
let kms;
before(async () => {
  kms = await startOpenKms({ seed: { keys: [{ key_id: KEY_ID, key_alias: 'example/orders' }] } });
});
after(() => kms.stop());

test('describes the seeded key, enabled', async () => {
  const res = await fetch(`${kms.url}/v1.0/${kms.projectId}/kms/describe-key`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': kms.token },
    body: JSON.stringify({ key_id: 'alias/example/orders' }),
  });
  assert.equal(res.status, 200);
  const { key_info } = await res.json();
  assert.equal(key_info.key_id, KEY_ID);
  assert.equal(key_info.key_state, '2');
});
