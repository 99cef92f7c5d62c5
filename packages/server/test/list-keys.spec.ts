import fc from 'fast-check';
import { buildTestApp, CALLERS, expectKmsError, type Caller, type TestApp } from './support';

describe('POST /v1.0/{project_id}/kms/list-keys', () => {
  let t: TestApp;

  async function createKeys(prefix: string, n: number, caller: Caller = CALLERS.alice): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const res = await t.createKey({ key_alias: `${prefix}-${i}` }, caller).expect(200);
      ids.push(res.body.key_info.key_id);
    }
    return ids;
  }

  /** Follows next_marker to the end; `between` runs after each page. */
  async function listAll(limit: string, caller: Caller = CALLERS.alice, between?: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 1000; pages += 1) {
      const res = await t.listKeys({ limit, marker }, caller).expect(200);
      seen.push(...res.body.keys);
      if (res.body.truncated === 'false') {
        expect(res.body.next_marker).toBe('');
        return seen;
      }
      expect(res.body.keys).toHaveLength(Number(limit));
      marker = res.body.next_marker;
      if (between) await between();
    }
    throw new Error('pagination did not end');
  }

  beforeEach(async () => {
    t = await buildTestApp();
  });

  it('lists an empty project: no keys, truncated "false", total 0', async () => {
    const res = await t.listKeys({}).expect(200);
    expect(res.body).toEqual({ keys: [], key_details: [], next_marker: '', truncated: 'false', total: 0 });
  });

  it('lists the keys in creation order with their full descriptions, only the own project', async () => {
    const ids = await createKeys('k', 3);
    await createKeys('bob', 1, CALLERS.bob);
    await createKeys('carol', 1, CALLERS.carol);
    const res = await t.listKeys({}).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['key_details', 'keys', 'next_marker', 'total', 'truncated']);
    expect(res.body.total).toBe(3);
    expect([...res.body.keys].sort()).toEqual([...ids].sort());
    expect(res.body.key_details.map((d: { key_id: string }) => d.key_id)).toEqual(res.body.keys);
    const described = await t.describeKey({ key_id: ids[0] }).expect(200);
    expect(res.body.key_details.find((d: { key_id: string }) => d.key_id === ids[0])).toEqual(described.body.key_info);
    const dates = res.body.key_details.map((d: { creation_date: string }) => Number(d.creation_date));
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
  });

  it('pages by limit, both sides of the boundary, and follows next_marker without repeats or gaps', async () => {
    const ids = await createKeys('k', 5);
    const exact = await t.listKeys({ limit: '5' }).expect(200);
    expect(exact.body).toMatchObject({ truncated: 'false', next_marker: '', total: 5 });
    const short = await t.listKeys({ limit: '4' }).expect(200);
    expect(short.body).toMatchObject({ truncated: 'true', total: 5 });
    expect(short.body.keys).toHaveLength(4);
    expect(short.body.next_marker).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const limit of ['1', '2', '3', '4', '5', '1000']) {
      const seen = await listAll(limit);
      expect(seen).toEqual(exact.body.keys);
    }
    expect([...exact.body.keys].sort()).toEqual([...ids].sort());
  });

  it('never repeats nor skips a key that existed at the start while keys are created between pages (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        async (n, limit, perPage) => {
          t = await buildTestApp();
          const existing = await createKeys('e', n);
          let created = 0;
          let page = 0;
          const seen = await listAll(String(limit), CALLERS.alice, async () => {
            // New keys while the first three pages are read (then the listing must end).
            if ((page += 1) > 3) return;
            await Promise.all(Array.from({ length: perPage }, () => t.createKey({ key_alias: `n-${(created += 1)}` }).expect(200)));
          });
          expect(new Set(seen).size).toBe(seen.length);
          for (const id of existing) expect(seen).toContain(id);
        },
      ),
      { numRuns: 15 },
    );
  }, 60_000);

  it('filters by key_state; total counts that state only', async () => {
    await createKeys('k', 2);
    const external = await t.createKey({ key_alias: 'ext', origin: 'external' }).expect(200);
    const pending = await t.listKeys({ key_state: '5' }).expect(200);
    expect(pending.body).toMatchObject({ keys: [external.body.key_info.key_id], total: 1, truncated: 'false' });
    expect((await t.listKeys({ key_state: '2' }).expect(200)).body.total).toBe(2);
    expect((await t.listKeys({ key_state: '3' }).expect(200)).body).toMatchObject({ keys: [], total: 0 });
  });

  it('answers KMS.0308 for limit out of 1..1000 or not a decimal string', async () => {
    await t.listKeys({ limit: '1' }).expect(200);
    await t.listKeys({ limit: '1000' }).expect(200);
    for (const limit of ['0', '1001', '9999', '01', '-1', '1.5', 'ten', '', 5]) {
      expectKmsError(await t.listKeys({ limit }), 400, 'KMS.0308');
    }
  });

  it('answers KMS.0308 for a marker this server did not make, or a key_state outside "1".."5"', async () => {
    await t.listKeys({ marker: '' }).expect(200);
    for (const marker of [
      'x',
      'not base64!',
      Buffer.from('12:not-a-key').toString('base64url'),
      'A'.repeat(129),
      Buffer.from('-1:00000000-0000-0000-0000-000000000000').toString('base64url'),
    ]) {
      expectKmsError(await t.listKeys({ marker }), 400, 'KMS.0308');
    }
    for (const state of ['0', '6', '', 2, 'enabled']) expectKmsError(await t.listKeys({ key_state: state }), 400, 'KMS.0308');
  });

  it('validates sequence (KMS.0206) and rejects fields the spec does not define (KMS.0308)', async () => {
    await t.listKeys({ sequence: '919c82d4-8046-4722-9094-35c3c6524cff' }).expect(200);
    expectKmsError(await t.listKeys({ sequence: 'x' }), 400, 'KMS.0206');
    const error = expectKmsError(await t.listKeys({ key_id: 'x' }), 400, 'KMS.0308');
    expect(error.error_msg).toBe('The request body has a parameter this API does not define: key_id.');
  });

  describe('key_spec and enterprise_project_id filters (current revision)', () => {
    const OTHER_PROJECT = 'b168fe00-ff56-4924-95a7-d22974df2d0b';

    it('lists every key for key_spec AES_256 or ALL, none for another documented spec; an unknown spec is KMS.0308', async () => {
      const all = await t.listKeys({}).expect(200);
      for (const keySpec of ['AES_256', 'ALL']) {
        const res = await t.listKeys({ key_spec: keySpec }).expect(200);
        expect(res.body.keys).toEqual(all.body.keys);
        expect(res.body.total).toBe(all.body.total);
      }
      for (const keySpec of ['SM4', 'RSA_2048', 'HMAC_256']) {
        const res = await t.listKeys({ key_spec: keySpec }).expect(200);
        expect(res.body).toEqual({ keys: [], key_details: [], next_marker: '', truncated: 'false', total: 0 });
      }
      for (const keySpec of ['AES_128', 'all', '', 1]) expectKmsError(await t.listKeys({ key_spec: keySpec }), 400, 'KMS.0308');
    });

    it('lists only the keys of the enterprise project asked for; a malformed ID is KMS.0308', async () => {
      const created = await t.createKey({ key_alias: 'eps/other', enterprise_project_id: OTHER_PROJECT }).expect(200);
      const other = await t.listKeys({ enterprise_project_id: OTHER_PROJECT, key_spec: 'AES_256' }).expect(200);
      expect(other.body.keys).toEqual([created.body.key_info.key_id]);
      expect(other.body.key_details[0].sys_enterprise_project_id).toBe(OTHER_PROJECT);
      expect(other.body.total).toBe(1);
      const inDefault = await t.listKeys({ enterprise_project_id: '0' }).expect(200);
      expect(inDefault.body.keys).not.toContain(created.body.key_info.key_id);
      expect(inDefault.body.key_details.every((key: { sys_enterprise_project_id: string }) => key.sys_enterprise_project_id === '0')).toBe(
        true,
      );
      for (const id of ['', '00', 'B168FE00-FF56-4924-95A7-D22974DF2D0B']) {
        expectKmsError(await t.listKeys({ enterprise_project_id: id }), 400, 'KMS.0308');
      }
    });
  });
});
