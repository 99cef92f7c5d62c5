import type { HttpResponse } from '../http/kms-http';
import { KMS_CODES } from '../spec/spec-facts';
import { answer, answerOf, answerMatches, ensure, expectOk, expectRejected } from './assertions';
import { apiReference, openkms, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';

/**
 * The current API revision's request fields (official SDK models `CreateKeyRequestBody`,
 * `CreateDatakeyRequestBody`, `EncryptDatakeyRequestBody`, `DecryptDatakeyRequestBody`,
 * `ListKeysRequestBody`; API reference "Creating a CMK", "Creating a DEK"). The seed documents
 * do not have them, so a server of the older revision may refuse them with a 400; the SHOULD
 * checks only require that a server which takes a field honours it: never a wrong length for a
 * key_spec, never additional authenticated data silently left out of the ciphertext.
 * OpenKMS's own choices (what it refuses, and how its messages name fields) are REFERENCE.
 */

type DatakeyBody = { key_id: string; plain_text: string; cipher_text: string };
type DecryptBody = { data_key: string };
type ListBody = {
  keys: string[];
  key_details: { key_id: string; sys_enterprise_project_id: string }[];
  next_marker: string;
  truncated: string;
  total: number;
};

const CREATE_KEY_FIELDS = apiReference('Creating a CMK (create-key), key_spec (default AES_256), key_usage (ENCRYPT_DECRYPT), keystore_id');
const DATAKEY_KEY_SPEC = apiReference(
  'Creating a DEK (create-datakey), key_spec: AES_256 256 bits, AES_128 128 bits; neither with datakey_length: 256 bits; both: datakey_length wins',
);
const AAD = apiReference(
  'Creating a DEK, encrypt-datakey, decrypt-datakey: additional_authenticated_data (authenticated non-sensitive data, at most 128 bytes)',
);
const LIST_FILTERS = apiReference('list-keys: key_spec (ALL for every spec), enterprise_project_id');
/** A server of the older revision refuses a field it does not know: any 400 KMS answer. */
const OLDER_REVISION_REFUSAL = ['400 KMS.*'];

/** Whether a non-strict check may take this answer as an older revision's refusal. */
function refusedAsOlderRevision(c: CheckContext, response: HttpResponse): boolean {
  return !c.strict && answerMatches(answerOf(response), OLDER_REVISION_REFUSAL);
}

/** OpenKMS's refusal of a field it does not support: 400 KMS.0308, with the field's name in error_msg. */
function expectRefusalNamingField(c: CheckContext, response: HttpResponse, field: string, what: string): void {
  expectRejected(c, response, [answer(400, KMS_CODES.invalidParameter)], answer(400, KMS_CODES.invalidParameter), what);
  const message = (response.json as { error: { error_msg: string } }).error.error_msg;
  ensure(message.includes(field), `${what}: error_msg "${message}" does not name ${field}`);
}

function decrypt(c: CheckContext, keyId: string, cipherText: string, bytes: number, extra: Record<string, unknown>): Promise<HttpResponse> {
  return c.post('decryptDatakey', { key_id: keyId, cipher_text: cipherText, datakey_cipher_length: String(bytes), ...extra });
}

export const revisionFieldChecks: readonly Check[] = [
  {
    id: 'CK-KEY-SPEC-DEFAULT',
    level: 'SHOULD',
    area: 'create-key',
    title: "create-key takes the current revision's defaults given explicitly: key_spec AES_256, key_usage ENCRYPT_DECRYPT",
    authority: [CREATE_KEY_FIELDS],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest.key_spec, key_usage (x-kms-supported-values)',
    keys: 1,
    async run(c) {
      await c.newKey('spec', { key_spec: 'AES_256', key_usage: 'ENCRYPT_DECRYPT' });
    },
  },
  {
    id: 'CK-REF-KEY-SPEC-UNSUPPORTED',
    level: 'REFERENCE',
    area: 'create-key',
    title:
      'key_spec other than AES_256, key_usage other than ENCRYPT_DECRYPT and any keystore_id are refused (400 KMS.0308 naming the field)',
    authority: [
      openkms('spec/kms.yaml CreateKeyRequest key_spec, key_usage, keystore_id: OpenKMS makes AES_256 encryption keys in its one keystore'),
      CREATE_KEY_FIELDS,
    ],
    acceptedCodes: ['400 KMS.0308'],
    reference: 'spec: CreateKeyRequest.key_spec, key_usage, keystore_id x-kms-supported-values',
    keys: 3,
    async run(c) {
      for (const [field, value] of [
        ['key_spec', 'SM4'],
        ['key_usage', 'SIGN_VERIFY'],
        ['keystore_id', '0'],
      ] as const) {
        const response = await c.createKey({ key_alias: c.uniqueAlias('unsup'), [field]: value });
        expectRefusalNamingField(c, response, field, `${field} "${value}"`);
      }
    },
  },
  {
    id: 'CK-DK-KEY-SPEC',
    level: 'SHOULD',
    area: 'create-datakey',
    title:
      'create-datakey key_spec: AES_256 gives 32 bytes, AES_128 16, and datakey_length wins over it (or the field is refused with a 400)',
    authority: [DATAKEY_KEY_SPEC],
    acceptedCodes: OLDER_REVISION_REFUSAL,
    reference: 'spec: CreateDatakeyRequest.key_spec, datakey_length; core datakeyBitsOf',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DK-KEY-SPEC', acceptedCodes: [] },
    async run(c) {
      const key = await c.newKey('dkspec');
      for (const [fields, bytes] of [
        [{ key_spec: 'AES_256' }, 32],
        [{ key_spec: 'AES_128' }, 16],
        [{ key_spec: 'AES_128', datakey_length: '512' }, 64],
      ] as const) {
        const what = `key_spec with ${JSON.stringify(fields)}`;
        const response = await c.createDatakey({ key_id: key.keyId, ...fields });
        if (refusedAsOlderRevision(c, response)) continue;
        const body = expectOk<DatakeyBody>(c, response, what);
        ensure(body.plain_text.length === bytes * 2, `${what}: plain_text is ${body.plain_text.length / 2} bytes, expected ${bytes}`);
      }
    },
  },
  {
    id: 'CK-REF-DK-DEFAULT-LENGTH',
    level: 'REFERENCE',
    area: 'create-datakey',
    title: "create-datakey without datakey_length or key_spec makes a 256-bit data key (the current revision's default)",
    authority: [
      openkms('spec/kms.yaml CreateDatakeyRequest.datakey_length x-kms-default 256 (the seed made the field mandatory)'),
      DATAKEY_KEY_SPEC,
    ],
    acceptedCodes: [],
    reference: 'spec: CreateDatakeyRequest required [key_id], datakey_length x-kms-default',
    keys: 1,
    async run(c) {
      const key = await c.newKey('dkdef');
      const body = expectOk<DatakeyBody>(c, await c.createDatakey({ key_id: key.keyId }), 'no datakey_length, no key_spec');
      ensure(body.plain_text.length === 64, `no datakey_length: plain_text is ${body.plain_text.length / 2} bytes, expected 32`);
    },
  },
  {
    id: 'CK-REF-DK-KEY-SPEC-UNSUPPORTED',
    level: 'REFERENCE',
    area: 'create-datakey',
    title: 'create-datakey key_spec other than AES_256/AES_128 without datakey_length is refused (400 KMS.0308 naming key_spec)',
    authority: [openkms('spec/kms.yaml CreateDatakeyRequest.key_spec x-kms-supported-values'), DATAKEY_KEY_SPEC],
    acceptedCodes: ['400 KMS.0308'],
    reference: 'spec: CreateDatakeyRequest.key_spec',
    keys: 1,
    async run(c) {
      const key = await c.newKey('dkspecx');
      expectRefusalNamingField(c, await c.createDatakey({ key_id: key.keyId, key_spec: 'SM4' }), 'key_spec', 'key_spec "SM4"');
    },
  },
  {
    id: 'CK-DKD-AAD',
    level: 'SHOULD',
    area: 'envelope',
    title:
      'additional_authenticated_data is bound to the data key: decrypting needs the same string beside the same context (or the field is refused with a 400, never ignored)',
    authority: [AAD],
    acceptedCodes: [...OLDER_REVISION_REFUSAL, ...DOCUMENTED.contextMismatch],
    reference: 'spec: AdditionalAuthenticatedData; docs/ciphertext-format.md, Associated data',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DKD-AAD', acceptedCodes: ['400 KMS.2203'] },
    async run(c) {
      const key = await c.newKey('aad');
      const context = { table: 'orders' };
      const aad = 'orders/2026-12';
      const created = await c.createDatakey({
        key_id: key.keyId,
        datakey_length: '256',
        encryption_context: context,
        additional_authenticated_data: aad,
      });
      if (refusedAsOlderRevision(c, created)) return;
      const body = expectOk<DatakeyBody>(c, created, 'create-datakey with additional_authenticated_data');
      const opened = expectOk<DecryptBody>(
        c,
        await decrypt(c, key.keyId, body.cipher_text, 32, { encryption_context: context, additional_authenticated_data: aad }),
        'decrypt-datakey with the same context and additional_authenticated_data',
      );
      ensure(opened.data_key === body.plain_text, 'decrypt-datakey returned another data key than create-datakey made');
      const strict = answer(400, 'KMS.2203');
      for (const [what, extra] of [
        ['without additional_authenticated_data', { encryption_context: context }],
        ['with another additional_authenticated_data', { encryption_context: context, additional_authenticated_data: 'orders/2026-11' }],
        ['with the string moved into the context', { encryption_context: { table: `orders${aad}` } }],
      ] as const) {
        expectRejected(
          c,
          await decrypt(c, key.keyId, body.cipher_text, 32, extra),
          DOCUMENTED.contextMismatch,
          strict,
          `decrypt-datakey ${what}`,
        );
      }
    },
  },
  {
    id: 'CK-LIST-FILTERS',
    level: 'SHOULD',
    area: 'key-listing',
    title:
      'list-keys with key_spec ALL and enterprise_project_id "0" lists a key created without either (or the fields are refused with a 400)',
    authority: [LIST_FILTERS, apiReference('Creating a CMK: enterprise_project_id, "0" when absent')],
    acceptedCodes: OLDER_REVISION_REFUSAL,
    reference: 'spec: ListKeysRequest.key_spec, enterprise_project_id',
    keys: 1,
    referenceTwin: { id: 'CK-REF-LIST-FILTERS', acceptedCodes: [] },
    async run(c) {
      const key = await c.newKey('filter');
      let marker: string | undefined;
      for (let page = 0; page < 100; page += 1) {
        const response = await c.post('listKeys', {
          key_spec: 'ALL',
          enterprise_project_id: '0',
          limit: '1000',
          ...(marker ? { marker } : {}),
        });
        if (page === 0 && refusedAsOlderRevision(c, response)) return;
        const body = expectOk<ListBody>(c, response, `list-keys with filters, page ${page + 1}`);
        for (const details of body.key_details) {
          ensure(
            details.sys_enterprise_project_id === '0',
            `list-keys enterprise_project_id "0" listed key ${details.key_id} of project ${details.sys_enterprise_project_id}`,
          );
        }
        if (body.keys.includes(key.keyId)) return;
        if (body.truncated !== 'true') break;
        marker = body.next_marker;
      }
      ensure(false, `list-keys with key_spec ALL and enterprise_project_id "0" did not list key ${key.keyId}`);
    },
  },
  {
    id: 'CK-REF-LIST-KEY-SPEC-OTHER',
    level: 'REFERENCE',
    area: 'key-listing',
    title: 'list-keys with a key_spec no OpenKMS key has (SM4) lists nothing: 200, total 0',
    authority: [openkms('spec/kms.yaml ListKeysRequest.key_spec: every OpenKMS key is AES_256'), LIST_FILTERS],
    acceptedCodes: [],
    reference: 'spec: ListKeysRequest.key_spec',
    keys: 0,
    async run(c) {
      const body = expectOk<ListBody>(c, await c.post('listKeys', { key_spec: 'SM4' }), 'list-keys key_spec SM4');
      ensure(
        body.keys.length === 0 && body.total === 0,
        `list-keys key_spec SM4: ${body.keys.length} keys, total ${body.total}; expected none`,
      );
    },
  },
];
