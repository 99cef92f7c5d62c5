import { createKmsClient, KmsError } from '../src';

// The client's key lifecycle methods: path, body and typed answer of each, and a refusal as a KmsError.

const KEY_ID = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';

function recordingClient(answer: { status: number; body: unknown }) {
  const requests: { url: string; body: unknown }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  const kms = createKmsClient({ endpoint: 'http://kms.test:8080', projectId: 'p1', token: 'tok', fetch: fetchFn, retry: false });
  return { kms, requests };
}

describe('createKmsClient key lifecycle methods', () => {
  it('enableKey and disableKey post key_id and answer key_info', async () => {
    for (const [method, path, state] of [
      ['enableKey', 'enable-key', '2'],
      ['disableKey', 'disable-key', '3'],
    ] as const) {
      const { kms, requests } = recordingClient({ status: 200, body: { key_info: { key_id: KEY_ID, key_state: state } } });
      const answer = await kms[method]({ key_id: KEY_ID });
      expect(answer.key_info.key_state).toBe(state);
      expect(requests).toEqual([{ url: `http://kms.test:8080/v1.0/p1/kms/${path}`, body: { key_id: KEY_ID } }]);
    }
  });

  it('scheduleKeyDeletion posts pending_days as a string; cancelKeyDeletion posts key_id; both answer key_id and key_state', async () => {
    const scheduled = recordingClient({ status: 200, body: { key_id: KEY_ID, key_state: '4' } });
    await expect(scheduled.kms.scheduleKeyDeletion({ key_id: KEY_ID, pending_days: '7' })).resolves.toEqual({
      key_id: KEY_ID,
      key_state: '4',
    });
    expect(scheduled.requests).toEqual([
      { url: 'http://kms.test:8080/v1.0/p1/kms/schedule-key-deletion', body: { key_id: KEY_ID, pending_days: '7' } },
    ]);
    const cancelled = recordingClient({ status: 200, body: { key_id: KEY_ID, key_state: '3' } });
    await expect(cancelled.kms.cancelKeyDeletion({ key_id: KEY_ID })).resolves.toEqual({ key_id: KEY_ID, key_state: '3' });
    expect(cancelled.requests[0]!.url).toBe('http://kms.test:8080/v1.0/p1/kms/cancel-key-deletion');
  });

  it('throws a KmsError with the code of a refused transition', async () => {
    const { kms } = recordingClient({
      status: 400,
      body: { error: { error_code: 'KMS.0210', error_msg: 'The key is pending deletion.' } },
    });
    const error = await kms.enableKey({ key_id: KEY_ID }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ status: 400, errorCode: 'KMS.0210' });
  });
});
