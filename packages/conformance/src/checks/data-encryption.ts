import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, type Check } from './check';
import { DOCUMENTED } from './documented-answers';

/** encrypt-data and decrypt-data (current API reference): optional; NOT IMPLEMENTED without the routes. */

type Sealed = { key_id: string; cipher_text: string };
type Opened = { key_id: string; plain_text: string; plain_text_base64?: string };

const ENCRYPT = apiReference(
  'Encrypting Data (encrypt-data): key_id, plain_text of 1 to 4096 bytes, encryption_context; answers key_id and cipher_text "in Base64 format"',
);
const DECRYPT = apiReference('Decrypting Data (decrypt-data): cipher_text, encryption_context; answers key_id and plain_text');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** A plain_text over the limit: invalid plain_text, invalid parameter, or request too long. */
const PLAIN_TEXT_INVALID = ['400 KMS.2101', '400 KMS.0308', '400 KMS.0203'];

export const dataEncryptionChecks: readonly Check[] = [
  {
    id: 'CK-DATA-ROUND-TRIP',
    level: 'MUST',
    area: 'data',
    title: 'encrypt-data answers a base64 cipher_text that decrypt-data opens to the same plain_text under the same encryption_context',
    authority: [ENCRYPT, DECRYPT],
    acceptedCodes: [],
    reference: 'spec: encryptData, decryptData; docs/ciphertext-format.md (Data ciphertext)',
    keys: 1,
    async run(c) {
      const key = await c.newKey('data');
      for (const plain of ['hello', 'x'.repeat(4096)]) {
        const sealed = expectOk<Sealed>(
          c,
          await c.post('encryptData', { key_id: key.keyId, plain_text: plain, encryption_context: { table: 'kit' } }),
          `encrypt-data of ${plain.length} bytes`,
        );
        ensure(sealed.key_id === key.keyId, `encrypt-data: key_id ${sealed.key_id} is not the CMK's`);
        ensure(BASE64.test(sealed.cipher_text), 'encrypt-data: cipher_text is not base64');
        const opened = expectOk<Opened>(
          c,
          await c.post('decryptData', { cipher_text: sealed.cipher_text, encryption_context: { table: 'kit' } }),
          `decrypt-data of ${plain.length} bytes`,
        );
        ensure(opened.plain_text === plain, 'decrypt-data does not return the plain_text given to encrypt-data');
      }
    },
  },
  {
    id: 'CK-DATA-CONTEXT-MISMATCH',
    level: 'MUST',
    area: 'data',
    title: 'decrypt-data refuses another encryption_context, and none, with a 400',
    authority: [ENCRYPT, errorTable('KMS.2203 verification failed, KMS.2201 invalid cipher_text')],
    acceptedCodes: DOCUMENTED.contextMismatch,
    reference: 'spec: decryptData (KMS.2203)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DATA-CONTEXT-MISMATCH', acceptedCodes: ['400 KMS.2203'] },
    async run(c) {
      const key = await c.newKey('datactx');
      const sealed = expectOk<Sealed>(
        c,
        await c.post('encryptData', { key_id: key.keyId, plain_text: 'bound', encryption_context: { table: 'kit' } }),
        'encrypt-data',
      );
      for (const [what, context] of [
        ['another context', { table: 'other' }],
        ['no context', undefined],
      ] as const) {
        const response = await c.post('decryptData', {
          cipher_text: sealed.cipher_text,
          ...(context ? { encryption_context: context } : {}),
        });
        expectRejected(c, response, DOCUMENTED.contextMismatch, '400 KMS.2203', what);
      }
    },
  },
  {
    id: 'CK-DATA-PLAIN-TEXT-LIMIT',
    level: 'MUST',
    area: 'data',
    title: 'encrypt-data refuses a plain_text of 4097 bytes and an empty one with a 400',
    authority: [ENCRYPT, errorTable('KMS.2101 invalid plain_text, KMS.0308 invalid parameter')],
    acceptedCodes: [...PLAIN_TEXT_INVALID, '400 KMS.0204'],
    reference: 'spec: EncryptDataRequest.plain_text (KMS.2101)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DATA-PLAIN-TEXT-LIMIT', acceptedCodes: ['400 KMS.2101'] },
    async run(c) {
      const key = await c.newKey('datalim');
      expectRejected(
        c,
        await c.post('encryptData', { key_id: key.keyId, plain_text: 'x'.repeat(4097) }),
        PLAIN_TEXT_INVALID,
        '400 KMS.2101',
        '4097 bytes',
      );
      expectRejected(
        c,
        await c.post('encryptData', { key_id: key.keyId, plain_text: '' }),
        [...PLAIN_TEXT_INVALID, '400 KMS.0204'],
        '400 KMS.2101',
        'an empty plain_text',
      );
    },
  },
  {
    id: 'CK-DATA-DAMAGED',
    level: 'MUST',
    area: 'data',
    title: 'decrypt-data refuses a cipher_text with one byte changed with a 400 (or not found), never a plain_text',
    authority: [DECRYPT, errorTable('KMS.2201 invalid cipher_text, KMS.2203 verification failed')],
    acceptedCodes: DOCUMENTED.cipherRefused,
    reference: 'spec: decryptData (KMS.2201); docs/ciphertext-format.md (Data ciphertext)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DATA-DAMAGED', acceptedCodes: ['400 KMS.2201'] },
    async run(c) {
      const key = await c.newKey('datadmg');
      const sealed = expectOk<Sealed>(c, await c.post('encryptData', { key_id: key.keyId, plain_text: 'intact' }), 'encrypt-data');
      const bytes = Buffer.from(sealed.cipher_text, 'base64');
      for (const at of [Math.floor(bytes.length / 2), bytes.length - 1]) {
        const damaged = Buffer.from(bytes);
        damaged[at] = damaged[at]! ^ 0x01;
        const response = await c.post('decryptData', { cipher_text: damaged.toString('base64') });
        expectRejected(c, response, DOCUMENTED.cipherRefused, '400 KMS.2201', `byte ${at} changed`);
      }
    },
  },
];
