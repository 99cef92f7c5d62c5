import { createHash } from 'node:crypto';
import type { HttpResponse } from '../http/kms-http';
import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';

type DatakeyBody = { key_id: string; plain_text: string; cipher_text: string };
type DecryptBody = { data_key: string; datakey_length: string; datakey_dgst: string };
type ListBody = { keys: string[]; key_details: { key_id: string }[]; next_marker: string; truncated: string; total: number };

const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex').toUpperCase();

/** Lengths of the round trip: both ends of 8…8192, the documented 512, and odd multiples of 8 between. */
const ROUND_TRIP_BITS = [8, 16, 24, 128, 136, 256, 512, 1000, 1024, 2048, 4096, 8184, 8192];

async function dataKey(c: CheckContext, keyId: string, bits: number, context?: Record<string, string>): Promise<DatakeyBody> {
  return expectOk<DatakeyBody>(
    c,
    await c.createDatakey({ key_id: keyId, datakey_length: String(bits), ...(context ? { encryption_context: context } : {}) }),
    `${bits}-bit data key`,
  );
}

function decrypt(
  c: CheckContext,
  keyId: string,
  cipherText: string,
  bytes: number,
  context?: Record<string, string>,
): Promise<HttpResponse> {
  return c.post('decryptDatakey', {
    key_id: keyId,
    cipher_text: cipherText,
    datakey_cipher_length: String(bytes),
    ...(context ? { encryption_context: context } : {}),
  });
}

const OPENKMS_REFUSALS = ['400 KMS.2201', '400 KMS.2203'];

/** A clean refusal of a damaged or foreign blob: a 400 (or not found), never a key and never a 5xx. */
function expectRefused(c: CheckContext, response: HttpResponse, what: string): void {
  const allowed: readonly string[] = c.strict ? OPENKMS_REFUSALS : DOCUMENTED.cipherRefused;
  const code = (response.json as { error?: { error_code?: unknown } } | undefined)?.error?.error_code;
  ensure(allowed.includes(`${response.status} ${String(code)}`), `${what}: expected ${allowed.join(' or ')}, got ${c.describe(response)}`);
}

const DECRYPT = apiReference('decrypt-datakey (cipher_text, datakey_cipher_length; data_key, datakey_length, datakey_dgst)');
const CIPHER_CODES = errorTable('KMS.2201 invalid cipher_text, KMS.2203 DEK hash verification failed');

export const extendedChecks: readonly Check[] = [
  {
    id: 'CK-DKD-ROUND-TRIP',
    level: 'MUST',
    area: 'envelope',
    title:
      'decrypt-datakey returns the same bytes create-datakey made, for lengths 8 to 8192, with datakey_length in bytes and datakey_dgst = SHA-256',
    authority: [DECRYPT, apiReference('create-datakey datakey_length 8 to 8192 bits')],
    acceptedCodes: [],
    reference: 'spec: decryptDatakey, DecryptDatakeyResponse; KMS docs: data keys (decrypt-datakey); docs/ciphertext-format.md',
    keys: 1,
    async run(c) {
      const key = await c.newKey('dkd');
      for (const bits of ROUND_TRIP_BITS) {
        const made = await dataKey(c, key.keyId, bits);
        const back = expectOk<DecryptBody>(
          c,
          await decrypt(c, key.keyId, made.cipher_text, bits / 8),
          `decrypting the ${bits}-bit data key`,
        );
        ensure(back.data_key === made.plain_text, `${bits} bits: data_key is not the plain_text create-datakey returned`);
        ensure(
          back.datakey_length === String(bits / 8),
          `${bits} bits: datakey_length is ${back.datakey_length}, expected ${bits / 8} (bytes)`,
        );
        ensure(back.datakey_dgst === sha256Hex(made.plain_text), `${bits} bits: datakey_dgst is not the SHA-256 of the data key`);
      }
      const byAlias = await dataKey(c, key.keyId, 256);
      const back = expectOk<DecryptBody>(
        c,
        await decrypt(c, `alias/${key.alias}`, byAlias.cipher_text, 32),
        'decrypting with key_id alias/NAME',
      );
      ensure(back.data_key === byAlias.plain_text, 'by alias: data_key is not the plain_text create-datakey returned');
    },
  },
  {
    id: 'CK-DKD-TAMPER',
    level: 'MUST',
    area: 'envelope',
    title: 'a truncated, extended or bit-flipped cipher_text is a clean 400 (KMS.2201/KMS.2203), never a 500 or a key',
    authority: [DECRYPT, CIPHER_CODES, errorTable('KMS.0308, KMS.0205, 404 KMS.0207 when the key ID bytes are hit')],
    acceptedCodes: DOCUMENTED.cipherRefused,
    reference:
      'spec: decryptDatakey description, DecryptDatakeyRequest.cipher_text x-kms-error-code; KMS docs: errors (KMS.2201/2203), data keys',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DKD-TAMPER', acceptedCodes: ['400 KMS.2201', '400 KMS.2203'] },
    async run(c) {
      const key = await c.newKey('tamper');
      const made = await dataKey(c, key.keyId, 256);
      const blob = Buffer.from(made.cipher_text, 'hex');
      const variants: [string, string][] = [
        ['cut to half', made.cipher_text.slice(0, made.cipher_text.length / 2)],
        ['last byte cut', made.cipher_text.slice(0, -2)],
        ['one byte appended', `${made.cipher_text}00`],
      ];
      for (const index of [0, 2, 4, Math.floor(blob.length / 3), Math.floor(blob.length / 2), blob.length - 40, blob.length - 1]) {
        const flipped = Buffer.from(blob);
        flipped[index]! ^= 0x01;
        variants.push([`bit 0 of byte ${index} flipped`, flipped.toString('hex').toUpperCase()]);
      }
      for (const [what, text] of variants) expectRefused(c, await decrypt(c, key.keyId, text, 32), what);
    },
  },
  {
    id: 'CK-DKD-CONTEXT',
    level: 'MUST',
    area: 'envelope',
    title: 'cipher_text opens only under the encryption_context it was made with (none, other pairs, extra pair → 400 KMS.2203)',
    authority: [DECRYPT, apiReference('encryption_context: given to encrypt, required to decrypt'), CIPHER_CODES],
    acceptedCodes: DOCUMENTED.contextMismatch,
    reference: 'spec: encryption_context "the same pairs are required to decrypt"; KMS docs: data keys, other emulators',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DKD-CONTEXT', acceptedCodes: ['400 KMS.2203'] },
    async run(c) {
      const key = await c.newKey('ctx');
      const context = { ab: 'c', tenant: 'acme' };
      const made = await dataKey(c, key.keyId, 256, context);
      const cases: [string, Record<string, string> | undefined][] = [
        ['no context', undefined],
        ['one pair missing', { ab: 'c' }],
        ['another value', { ab: 'c', tenant: 'acmf' }],
        ['pairs joined differently', { a: 'bc', tenant: 'acme' }],
        ['an extra pair', { ...context, x: '' }],
      ];
      for (const [what, other] of cases)
        expectRejected(c, await decrypt(c, key.keyId, made.cipher_text, 32, other), DOCUMENTED.contextMismatch, '400 KMS.2203', what);
      const back = expectOk<DecryptBody>(
        c,
        await decrypt(c, key.keyId, made.cipher_text, 32, { tenant: 'acme', ab: 'c' }),
        'the same pairs in another order',
      );
      ensure(back.data_key === made.plain_text, 'the same context: data_key is not the plain_text create-datakey returned');
    },
  },
  {
    id: 'CK-DKD-OTHER-KEY',
    level: 'MUST',
    area: 'envelope',
    title: 'cipher_text does not open under another key of the project (400 KMS.2201/KMS.2203)',
    authority: [DECRYPT, CIPHER_CODES],
    acceptedCodes: DOCUMENTED.cipherRefused,
    reference: 'spec: decryptDatakey description ("a blob sealed under another CMK than key_id"); KMS docs: errors',
    keys: 2,
    referenceTwin: { id: 'CK-REF-DKD-OTHER-KEY', acceptedCodes: ['400 KMS.2201', '400 KMS.2203'] },
    async run(c) {
      const key = await c.newKey('own');
      const other = await c.newKey('other');
      const made = await dataKey(c, key.keyId, 256);
      expectRefused(c, await decrypt(c, other.keyId, made.cipher_text, 32), 'key_id of another key');
    },
  },
  {
    id: 'CK-EDK-ROUND-TRIP',
    level: 'MUST',
    area: 'envelope',
    title: 'encrypt-datakey seals hex(DEK ‖ SHA-256(DEK)) so that decrypt-datakey returns the DEK; a wrong digest is 400 KMS.2103',
    authority: [
      apiReference('encrypt-datakey plain_text = hex(DEK ‖ SHA-256(DEK)), datakey_plain_length'),
      DECRYPT,
      errorTable('KMS.2103 DEK hash verification failed, KMS.2101 invalid plain_text'),
    ],
    acceptedCodes: DOCUMENTED.digestMismatch,
    reference: 'spec: encryptDatakey, EncryptDatakeyRequest.plain_text; KMS docs: errors (KMS.2103), data keys',
    keys: 1,
    referenceTwin: { id: 'CK-REF-EDK-ROUND-TRIP', acceptedCodes: ['400 KMS.2103'] },
    async run(c) {
      const key = await c.newKey('edk');
      const dek = createHash('sha256').update(c.uniqueAlias('dek')).digest('hex').toUpperCase();
      const sealed = expectOk<{ key_id: string; cipher_text: string; datakey_length: string }>(
        c,
        await c.post('encryptDatakey', {
          key_id: key.keyId,
          plain_text: dek + sha256Hex(dek),
          datakey_plain_length: '32',
          encryption_context: { k: 'v' },
        }),
        'encrypt-datakey',
      );
      ensure(sealed.key_id === key.keyId, `encrypt-datakey: key_id ${sealed.key_id} is not the CMK's`);
      const back = expectOk<DecryptBody>(c, await decrypt(c, key.keyId, sealed.cipher_text, 32, { k: 'v' }), 'decrypting the sealed key');
      ensure(back.data_key === dek, 'decrypt-datakey does not return the DEK given to encrypt-datakey');
      const badDigest = sha256Hex(dek).replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
      const refused = await c.post('encryptDatakey', { key_id: key.keyId, plain_text: dek + badDigest, datakey_plain_length: '32' });
      expectRejected(c, refused, DOCUMENTED.digestMismatch, '400 KMS.2103', 'a wrong digest');
    },
  },
  {
    id: 'CK-DESCRIBE-KEY',
    level: 'MUST',
    area: 'key-listing',
    title: 'describe-key returns the key by ID and alias, every field a string, creation_date in epoch milliseconds',
    authority: [
      apiReference('describe-key (key_info, every field a string, creation_date in epoch milliseconds, key_state 2 enabled)'),
      errorTable('404 KMS.0207 the key does not exist'),
    ],
    acceptedCodes: DOCUMENTED.keyNotFound,
    reference: 'spec: describeKey, KeyDetails; KMS docs: keys (full key description)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DESCRIBE-KEY', acceptedCodes: ['404 KMS.0207'] },
    async run(c) {
      const before = Date.now();
      const key = await c.newKey('desc', { key_description: 'conformance' });
      for (const reference of [key.keyId, `alias/${key.alias}`]) {
        const info = expectOk<{ key_info: Record<string, unknown> }>(
          c,
          await c.post('describeKey', { key_id: reference }),
          `describe-key ${reference}`,
        ).key_info;
        ensure(
          info.key_id === key.keyId && info.key_alias === key.alias && info.domain_id === key.domainId,
          `describe-key ${reference}: another key described`,
        );
        ensure(
          info.key_state === '2' && info.key_description === 'conformance',
          `describe-key ${reference}: key_state ${String(info.key_state)}, key_description ${String(info.key_description)}`,
        );
        ensure(
          Object.values(info).every((value) => typeof value === 'string'),
          `describe-key ${reference}: a field is not a string`,
        );
        const created = Number(info.creation_date);
        ensure(
          created > before - 24 * 3600_000 && created < Date.now() + 24 * 3600_000,
          `describe-key: creation_date ${String(info.creation_date)} is not epoch milliseconds of today`,
        );
      }
      expectRejected(
        c,
        await c.post('describeKey', { key_id: '00000000-0000-0000-0000-000000000000' }),
        DOCUMENTED.keyNotFound,
        '404 KMS.0207',
        'an unknown key',
      );
    },
  },
  {
    id: 'CK-LIST-PAGINATION',
    level: 'MUST',
    area: 'key-listing',
    title: 'list-keys pages with limit and next_marker never repeat nor skip a key, while keys are created between pages',
    authority: [apiReference('list-keys (limit, marker; keys, key_details, next_marker, truncated, total)')],
    acceptedCodes: [],
    reference: 'spec: listKeys description, ListKeysResponse; KMS docs: keys, API surface',
    keys: 7,
    async run(c) {
      const mine: string[] = [];
      for (let i = 0; i < 5; i += 1) mine.push((await c.newKey(`list${i}`)).keyId);
      const first = expectOk<ListBody>(c, await c.post('listKeys', { limit: '1' }), 'list-keys');
      ensure(first.total >= mine.length, `list-keys: total ${first.total}, but ${mine.length} keys were just created`);
      // Pages of 3 make several pages of a fresh project; a big project is read 100 at a time.
      const PAGE = first.total <= 30 ? 3 : 100;
      // Others may create keys in the project meanwhile: this only stops a listing that never ends.
      const maxPages = Math.ceil(first.total / PAGE) * 4 + 10;
      const seen = new Set<string>();
      let marker: string | undefined;
      for (let page = 0; ; page += 1) {
        ensure(page < maxPages, `list-keys: more than ${maxPages} pages of ${PAGE} for ${first.total} keys: the pages repeat`);
        const body = expectOk<ListBody>(
          c,
          await c.post('listKeys', { limit: String(PAGE), ...(marker ? { marker } : {}) }),
          `list-keys page ${page + 1}`,
        );
        for (const id of body.keys) {
          ensure(!seen.has(id), `list-keys page ${page + 1}: key ${id} was already on an earlier page`);
          seen.add(id);
        }
        ensure(body.keys.length <= PAGE, `list-keys page ${page + 1}: ${body.keys.length} keys for limit ${PAGE}`);
        ensure(
          body.key_details.map((d) => d.key_id).join() === body.keys.join(),
          `list-keys page ${page + 1}: key_details do not match keys`,
        );
        if (page < 2) await c.newKey(`listnew${page}`);
        if (body.truncated === 'false') break;
        ensure(body.next_marker.length > 0, `list-keys page ${page + 1}: truncated "true" without next_marker`);
        marker = body.next_marker;
      }
      for (const id of mine) ensure(seen.has(id), `list-keys: key ${id}, present before paging, was skipped`);
    },
  },
];
