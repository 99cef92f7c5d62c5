/** Example: startOpenKms from a jest suite (runs in the normal e2e jest run). */
import { join } from 'node:path';
import { startOpenKms, type OpenKms } from '@openkms/server/testing';
import { callKms } from './kms';

let kms: OpenKms;
beforeAll(async () => {
  kms = await startOpenKms({ seed: join(__dirname, 'kms-seed.yaml'), token: 'okms_example_token', projectId: 'example-project' });
});
afterAll(() => kms.stop());

it('serves the seeded key with the fixed credentials, and a data key round-trips', async () => {
  expect(kms).toMatchObject({ token: 'okms_example_token', projectId: 'example-project', seeded: { created: 1, unchanged: 0 } });
  const made = await callKms(kms, 'create-datakey', { key_id: 'alias/example/orders' });
  expect(made.status).toBe(200);
  expect(made.json.key_id).toBe('7a3c9e1f-2b4d-4f6a-8c0e-1d2f3a4b5c6d');
  const opened = await callKms(kms, 'decrypt-datakey', {
    key_id: made.json.key_id,
    cipher_text: made.json.cipher_text,
    datakey_cipher_length: '32',
  });
  expect(opened.json.data_key).toBe(made.json.plain_text);
});
