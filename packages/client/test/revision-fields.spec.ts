import { createKmsClient } from '../src';

/** The current API revision's request fields go out on the wire exactly as given (generated serializers included). */
function recordingClient() {
  const bodies: unknown[] = [];
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)));
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  let answer: unknown = {};
  const kms = createKmsClient({ endpoint: 'http://kms.test:8080/', projectId: 'p1', token: 'tok', fetch: fetchFn, retry: false });
  return { kms, bodies, answerWith: (body: unknown) => void (answer = body) };
}

const KEY_ID = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';

describe('current revision fields in the client', () => {
  it('sends create-key key_spec, key_usage and keystore_id', async () => {
    const { kms, bodies, answerWith } = recordingClient();
    answerWith({ key_info: { key_id: KEY_ID, domain_id: 'b168fe00ff56492495a7d22974df2d0b' } });
    await kms.createKey({ key_alias: 'a', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', keystore_id: 'k' });
    expect(bodies).toEqual([{ key_alias: 'a', key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT', keystore_id: 'k' }]);
  });

  it('sends create-, encrypt- and decrypt-datakey additional_authenticated_data, and create-datakey key_spec without datakey_length', async () => {
    const { kms, bodies, answerWith } = recordingClient();
    answerWith({ key_id: KEY_ID, plain_text: '00', cipher_text: '00' });
    await kms.createDatakey({ key_id: KEY_ID, key_spec: 'AES_128', additional_authenticated_data: 'x' });
    answerWith({ key_id: KEY_ID, cipher_text: '00', datakey_length: '1' });
    await kms.encryptDatakey({ key_id: KEY_ID, plain_text: '00', datakey_plain_length: '1', additional_authenticated_data: 'y' });
    answerWith({ data_key: '00', datakey_length: '1', datakey_dgst: '0'.repeat(64) });
    await kms.decryptDatakey({ key_id: KEY_ID, cipher_text: '00', datakey_cipher_length: '1', additional_authenticated_data: 'z' });
    expect(bodies).toEqual([
      { key_id: KEY_ID, key_spec: 'AES_128', additional_authenticated_data: 'x' },
      { key_id: KEY_ID, plain_text: '00', datakey_plain_length: '1', additional_authenticated_data: 'y' },
      { key_id: KEY_ID, cipher_text: '00', datakey_cipher_length: '1', additional_authenticated_data: 'z' },
    ]);
  });

  it('sends list-keys key_spec and enterprise_project_id', async () => {
    const { kms, bodies, answerWith } = recordingClient();
    answerWith({ keys: [], key_details: [], next_marker: '', truncated: 'false', total: 0 });
    await kms.listKeys({ key_spec: 'ALL', enterprise_project_id: '0' });
    expect(bodies).toEqual([{ key_spec: 'ALL', enterprise_project_id: '0' }]);
  });
});
