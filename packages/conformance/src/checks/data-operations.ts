import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, type Check } from './check';
import { DOCUMENTED } from './documented-answers';

/**
 * The data operations of the current API reference beyond the envelope pair: a data key returned
 * only sealed (create-datakey-without-plaintext) and random numbers (gen-random). Both optional:
 * a server without the route reports NOT IMPLEMENTED.
 */

type SealedBody = { key_id: string; cipher_text: string; plain_text?: unknown };

const WITHOUT_PLAINTEXT = apiReference(
  'Creating a Plaintext-Free DEK (create-datakey-without-plaintext): the request of create-datakey; key_id and cipher_text answered',
);
const DECRYPT = apiReference('decrypt-datakey (cipher_text, datakey_cipher_length; data_key, datakey_length, datakey_dgst)');
const RANDOM = apiReference(
  'Creating a Random Number (gen-random): random_data_length "a multiple of 8, in the range 8 to 8192"; random_data hexadecimal, two characters a byte',
);
/** The reference names no code for a bad random_data_length: any 400 with a KMS error body. */
const RANDOM_REFUSED = ['400 KMS.*'];

export const dataOperationChecks: readonly Check[] = [
  {
    id: 'CK-DKWP-ROUND-TRIP',
    level: 'MUST',
    area: 'data',
    title:
      'create-datakey-without-plaintext answers key_id and cipher_text without plain_text; decrypt-datakey opens it to datakey_length/8 bytes',
    authority: [WITHOUT_PLAINTEXT, DECRYPT],
    acceptedCodes: [],
    reference: 'spec: createDatakeyWithoutPlaintext, CreateDatakeyWithoutPlaintextResponse; docs/ciphertext-format.md',
    keys: 1,
    async run(c) {
      const key = await c.newKey('dkwp');
      for (const bits of [128, 512]) {
        const sealed = expectOk<SealedBody>(
          c,
          await c.post('createDatakeyWithoutPlaintext', {
            key_id: key.keyId,
            datakey_length: String(bits),
            encryption_context: { k: 'v' },
          }),
          `${bits}-bit data key without plaintext`,
        );
        ensure(sealed.key_id === key.keyId, `key_id ${sealed.key_id} is not the CMK's ${key.keyId}`);
        ensure(sealed.plain_text === undefined, 'the answer carries plain_text');
        ensure(typeof sealed.cipher_text === 'string' && /^([0-9A-Fa-f]{2})+$/.test(sealed.cipher_text), 'cipher_text is not hex pairs');
        const back = expectOk<{ data_key: string }>(
          c,
          await c.post('decryptDatakey', {
            key_id: key.keyId,
            cipher_text: sealed.cipher_text,
            datakey_cipher_length: String(bits / 8),
            encryption_context: { k: 'v' },
          }),
          `decrypting the ${bits}-bit data key made without plaintext`,
        );
        ensure(back.data_key.length === bits / 4, `decrypt-datakey returned ${back.data_key.length / 2} bytes, expected ${bits / 8}`);
      }
    },
  },
  {
    id: 'CK-DKWP-LENGTH-INVALID',
    level: 'MUST',
    area: 'data',
    title: 'create-datakey-without-plaintext refuses datakey_length 0, 12 and 8200 with a 400, as create-datakey does',
    authority: [WITHOUT_PLAINTEXT, errorTable('KMS.1901 length 8 to 8192, KMS.1903 multiple of 8, KMS.0308 invalid parameter')],
    acceptedCodes: DOCUMENTED.datakeyLengthInvalid,
    reference: 'spec: createDatakeyWithoutPlaintext, CreateDatakeyRequest.datakey_length',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DKWP-LENGTH-INVALID', acceptedCodes: ['400 KMS.1901', '400 KMS.1903'] },
    async run(c) {
      const key = await c.newKey('dkwpl');
      for (const [length, strict] of [
        ['0', '400 KMS.1901'],
        ['12', '400 KMS.1903'],
        ['8200', '400 KMS.1901'],
      ] as const) {
        const response = await c.post('createDatakeyWithoutPlaintext', { key_id: key.keyId, datakey_length: length });
        expectRejected(c, response, DOCUMENTED.datakeyLengthInvalid, strict, `datakey_length "${length}"`);
      }
    },
  },
  {
    id: 'CK-RANDOM-LENGTH',
    level: 'MUST',
    area: 'random',
    title: 'gen-random answers random_data_length/8 bytes as hex pairs for 8, 512 and 8192 bits, different each time',
    authority: [RANDOM],
    acceptedCodes: [],
    reference: 'spec: genRandom, GenRandomResponse.random_data',
    keys: 0,
    async run(c) {
      const seen = new Set<string>();
      for (const bits of [8, 512, 8192, 512]) {
        const body = expectOk<{ random_data: string }>(
          c,
          await c.post('genRandom', { random_data_length: String(bits) }),
          `${bits} random bits`,
        );
        ensure(/^([0-9A-Fa-f]{2})+$/.test(body.random_data), `${bits} bits: random_data is not hex pairs`);
        ensure(
          body.random_data.length === bits / 4,
          `${bits} bits: random_data is ${body.random_data.length / 2} bytes, expected ${bits / 8}`,
        );
        if (bits === 512) {
          ensure(!seen.has(body.random_data), 'two 512-bit answers are the same');
          seen.add(body.random_data);
        }
      }
    },
  },
  {
    id: 'CK-RANDOM-HEX-UPPER',
    level: 'SHOULD',
    area: 'random',
    title: "gen-random's random_data is upper-case hexadecimal, as in the documented example",
    authority: [apiReference('Creating a Random Number, Example response (upper-case hexadecimal)')],
    acceptedCodes: [],
    reference: 'spec: GenRandomResponse.random_data pattern [0-9A-F]',
    keys: 0,
    async run(c) {
      const body = expectOk<{ random_data: string }>(c, await c.post('genRandom', { random_data_length: '512' }), '512 random bits');
      ensure(/^[0-9A-F]*$/.test(body.random_data), 'random_data has characters other than 0-9 A-F');
    },
  },
  {
    id: 'CK-RANDOM-LENGTH-INVALID',
    level: 'MUST',
    area: 'random',
    title: 'gen-random refuses random_data_length 0, 7, 12 and 8200 with a 400 KMS error',
    authority: [RANDOM, errorTable('400 for a request that breaks a parameter rule')],
    acceptedCodes: RANDOM_REFUSED,
    reference: 'spec: genRandom, GenRandomRequest.random_data_length (KMS.0308)',
    keys: 0,
    referenceTwin: { id: 'CK-REF-RANDOM-LENGTH-INVALID', acceptedCodes: ['400 KMS.0308'] },
    async run(c) {
      for (const length of ['0', '7', '12', '8200']) {
        expectRejected(
          c,
          await c.post('genRandom', { random_data_length: length }),
          RANDOM_REFUSED,
          '400 KMS.0308',
          `random_data_length "${length}"`,
        );
      }
    },
  },
];
