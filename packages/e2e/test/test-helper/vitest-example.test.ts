/** Example: startOpenKms from a vitest suite; run by runners.spec.ts as `npx vitest run`. */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOpenKms, type OpenKms } from '@openkms/server/testing';
import { callKms } from './kms';

let kms: OpenKms;
beforeAll(async () => {
  kms = await startOpenKms({ seed: join(__dirname, 'kms-seed.yaml') });
});
afterAll(() => kms.stop());

it('creates a data key under the seeded key and decrypts it', async () => {
  const made = await callKms(kms, 'create-datakey', { key_id: 'alias/example/orders' });
  expect(made.status).toBe(200);
  const opened = await callKms(kms, 'decrypt-datakey', {
    key_id: made.json.key_id,
    cipher_text: made.json.cipher_text,
    datakey_cipher_length: '32',
  });
  expect(opened.json.data_key).toBe(made.json.plain_text);
});

it('lists the seeded key', async () => {
  const listed = await callKms(kms, 'list-keys', {});
  expect(listed.json.keys).toEqual(['7a3c9e1f-2b4d-4f6a-8c0e-1d2f3a4b5c6d']);
});
