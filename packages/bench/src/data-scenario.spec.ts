import { randomUUID } from 'node:crypto';
import { decodeDataCiphertext } from '@openkms/core';
import { decryptData, encryptData } from './data-crypto';
import { baselineKey } from './datakey-crypto';
import {
  DATA_PLAINTEXT_BYTES,
  dataPlaintexts,
  dataRows,
  decryptDataBody,
  encryptDataBody,
  SEALED_CIPHERTEXTS,
  type DataLoad,
  type MeasureLoad,
  type SealOne,
} from './data-scenario';
import type { Target } from './processes';
import { PLANNED, SCENARIO, type MeasuredRow } from './scenarios';

const target: Target = { name: 'openkms', url: 'http://127.0.0.1:9', pid: 1, rss: () => 0, stop: async () => undefined };
const figures = (scenario: string): MeasuredRow => ({
  scenario,
  status: 'measured',
  requestsPerSecond: 100,
  latencyP50Ms: 1,
  latencyP99Ms: 2,
  latencyMaxMs: 3,
  requests: 500,
  peakRssMb: 100,
});

describe('the encrypt-data and decrypt-data bodies', () => {
  it('carry 4096 bytes of plaintext each (the API maximum), as printable ASCII text', () => {
    const texts = dataPlaintexts(8);
    expect(new Set(texts).size).toBe(8);
    for (const text of texts) {
      expect(Buffer.byteLength(text, 'utf8')).toBe(DATA_PLAINTEXT_BYTES);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('name one of the given keys and the bench context; decrypt bodies one of the given ciphertexts', () => {
    const keyIds = [randomUUID(), randomUUID()];
    const encrypt = encryptDataBody(keyIds);
    for (let n = 0; n < 20; n++) {
      const body = JSON.parse(encrypt()) as { key_id: string; plain_text: string; encryption_context: unknown };
      expect(keyIds).toContain(body.key_id);
      expect(Buffer.byteLength(body.plain_text, 'utf8')).toBe(DATA_PLAINTEXT_BYTES);
      expect(body.encryption_context).toEqual({ bench: 'yes' });
    }
    const decrypt = decryptDataBody(['c1', 'c2']);
    for (let n = 0; n < 20; n++) expect(['c1', 'c2']).toContain((JSON.parse(decrypt()) as { cipher_text: string }).cipher_text);
    expect(() => decryptDataBody([])).toThrow('no ciphertexts');
  });
});

describe('dataRows', () => {
  it('measures encrypt-data, then seals ciphertexts untimed and measures decrypt-data of exactly those', async () => {
    const log: string[] = [];
    const loads = new Map<string, DataLoad>();
    const measure: MeasureLoad = async (scenario, _target, load) => {
      log.push(`measure ${scenario} ${load.path}`);
      loads.set(scenario, load);
      return figures(scenario);
    };
    const sealed: string[] = [];
    const seal: SealOne = async (_target, path, body) => {
      if (!log.includes(`seal ${path}`)) log.push(`seal ${path}`);
      expect(Buffer.byteLength((JSON.parse(body) as { plain_text: string }).plain_text, 'utf8')).toBe(DATA_PLAINTEXT_BYTES);
      sealed.push(`sealed-${sealed.length}`);
      return sealed[sealed.length - 1]!;
    };
    const names = { encrypt: SCENARIO.encryptData4k, decrypt: SCENARIO.decryptData4k };
    const rows = await dataRows(names, target, '/v1.0/p/kms', [randomUUID()], measure, seal);

    expect(rows.map((row) => row.scenario)).toEqual([SCENARIO.encryptData4k, SCENARIO.decryptData4k]);
    expect(log).toEqual([
      `measure ${SCENARIO.encryptData4k} /v1.0/p/kms/encrypt-data`,
      'seal /v1.0/p/kms/encrypt-data',
      `measure ${SCENARIO.decryptData4k} /v1.0/p/kms/decrypt-data`,
    ]);
    expect(sealed).toHaveLength(SEALED_CIPHERTEXTS);
    const decryptBody = loads.get(SCENARIO.decryptData4k)!.body;
    for (let n = 0; n < 50; n++) expect(sealed).toContain((JSON.parse(decryptBody()) as { cipher_text: string }).cipher_text);
  });

  it('no longer lists the data scenarios as planned', () => {
    expect(PLANNED.map((p) => p.scenario)).not.toEqual(expect.arrayContaining([SCENARIO.encryptData4k]));
    expect(PLANNED.map((p) => p.scenario)).not.toEqual(expect.arrayContaining([SCENARIO.decryptData4k]));
  });
});

describe("the baselines' data crypto", () => {
  it("seals in OpenKMS's data ciphertext format and opens only under the same context", () => {
    const key = baselineKey();
    const plainText = dataPlaintexts(1)[0]!;
    const sealed = encryptData(key, { plain_text: plainText, encryption_context: { bench: 'yes' } });
    expect(sealed.key_id).toBe(key.keyId);
    const blob = Buffer.from(sealed.cipher_text, 'base64');
    expect(decodeDataCiphertext(blob)).toMatchObject({ keyId: key.keyId });
    expect(decryptData(key, { cipher_text: sealed.cipher_text, encryption_context: { bench: 'yes' } })).toEqual({
      key_id: key.keyId,
      plain_text: plainText,
      plain_text_base64: Buffer.from(plainText).toString('base64'),
    });
    expect(() => decryptData(key, { cipher_text: sealed.cipher_text, encryption_context: { bench: 'no' } })).toThrow('does not open');
    expect(() => decryptData(baselineKey(), { cipher_text: sealed.cipher_text, encryption_context: { bench: 'yes' } })).toThrow();
  });
});
