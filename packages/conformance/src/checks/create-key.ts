import { randomBytes, randomUUID } from 'node:crypto';
import { ensure, expectEachRejected, expectKmsError, expectOk } from './assertions';
import type { Check } from './check';
import type { CheckContext } from './context';
import { KMS_CODES } from '../spec/spec-facts';

const DOMAIN_ID = /^[0-9a-f]{32}$/;
const SEQUENCE_36 = '919c82d4-8046-4722-9094-35c3c6524cff';

type KeyInfoBody = { key_info: { key_id: string; domain_id: string } };

const aliasCode = (c: CheckContext) => c.facts.fieldErrorCode('CreateKeyRequest', 'key_alias');
const descriptionCode = (c: CheckContext) => c.facts.fieldErrorCode('CreateKeyRequest', 'key_description');

/** An alias of exactly `length` characters that no other run uses: the unique alias, padded or cut. */
function aliasOfLength(c: CheckContext, length: number): string {
  const base = c.uniqueAlias('len');
  return base.length >= length ? base.slice(-length) : base + 'x'.repeat(length - base.length);
}

async function expectAliasAccepted(c: CheckContext, alias: string, what: string): Promise<void> {
  const body = expectOk<KeyInfoBody>(c, await c.createKey({ key_alias: alias }), what);
  ensure(c.facts.keyIdPattern().test(body.key_info.key_id), `${what}: key_id ${body.key_info.key_id} is not a lower-case UUID`);
}

/** For aliases other runs may have taken already (a fixed name): a duplicate still shows the alias passed validation. */
async function expectFixedAliasAccepted(c: CheckContext, alias: string, what: string): Promise<void> {
  const response = await c.createKey({ key_alias: alias });
  if (response.status === 200) return;
  expectKmsError(c, response, 400, KMS_CODES.duplicateAlias, `${what} (200, or ${KMS_CODES.duplicateAlias} if an earlier run created it)`);
}

export const createKeyChecks: readonly Check[] = [
  {
    id: 'CK-KEY-CREATE-MINIMAL',
    level: 'MUST',
    area: 'create-key',
    title: 'create-key with only key_alias returns 200 and {key_info:{key_id,domain_id}}',
    reference: 'spec: createKey 200, CreateKeyResponse, KeyInfo; 000/001 Creating a CMK (response example)',
    async run(c) {
      const body = expectOk<KeyInfoBody>(c, await c.createKey({ key_alias: c.uniqueAlias('min') }), 'minimal create-key');
      ensure(c.facts.keyIdPattern().test(body.key_info.key_id), `key_id ${body.key_info.key_id} is not a 36-character lower-case UUID`);
      ensure(DOMAIN_ID.test(body.key_info.domain_id), `domain_id ${body.key_info.domain_id} is not 32 lower-case hex characters`);
    },
  },
  {
    id: 'CK-KEY-CREATE-FULL',
    level: 'MUST',
    area: 'create-key',
    title: 'create-key with every optional field returns 200',
    reference: 'spec: CreateKeyRequest (key_description, origin, enterprise_project_id, sequence); 001 创建密钥 request parameters',
    async run(c) {
      const body = { key_alias: c.uniqueAlias('full'), key_description: 'conformance kit', origin: 'kms', enterprise_project_id: '0', sequence: SEQUENCE_36 };
      expectOk(c, await c.createKey(body), 'create-key with every field');
    },
  },
  {
    id: 'CK-KEY-IDS-UNIQUE',
    level: 'MUST',
    area: 'create-key',
    title: 'two keys get different key_ids and the same domain_id',
    reference: 'spec: KeyInfo.key_id (a UUID per key), KeyInfo.domain_id (the account); kms-facts §2',
    async run(c) {
      const first = await c.newKey('uniq-a');
      const second = await c.newKey('uniq-b');
      ensure(first.keyId !== second.keyId, `two keys share key_id ${first.keyId}`);
      ensure(first.domainId === second.domainId, `one caller got two domain_ids: ${first.domainId}, ${second.domainId}`);
    },
  },
  {
    id: 'CK-ALIAS-LEN-1',
    level: 'MUST',
    area: 'create-key',
    title: 'a 1-character key_alias is accepted',
    reference: 'spec: CreateKeyRequest.key_alias minLength 1; 000 Creating a CMK "length ranges from 1 to 255"',
    async run(c) {
      // 62 one-character names exist; earlier runs may hold some, so try random ones until one is free.
      const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      let last = '';
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const alias = alphabet[randomBytes(1)[0]! % alphabet.length]!;
        const response = await c.createKey({ key_alias: alias });
        if (response.status === 200) return;
        expectKmsError(c, response, 400, KMS_CODES.duplicateAlias, `1-character alias "${alias}" (200, or duplicate if taken)`);
        last = alias;
      }
      // Every attempt hit a taken alias: each of those exists, so 1-character aliases are accepted.
      ensure(last.length === 1, 'no 1-character alias was tried');
    },
  },
  {
    id: 'CK-ALIAS-LEN-255',
    level: 'MUST',
    area: 'create-key',
    title: 'a 255-character key_alias is accepted',
    reference: 'spec: CreateKeyRequest.key_alias maxLength 255; 000 Creating a CMK "1 to 255 characters"',
    run: (c) => expectAliasAccepted(c, aliasOfLength(c, c.facts.maxLength('CreateKeyRequest', 'key_alias')), '255-character alias'),
  },
  {
    id: 'CK-ALIAS-LEN-0',
    level: 'MUST',
    area: 'create-key',
    title: 'an empty key_alias is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.key_alias minLength 1, x-kms-error-code; 000 Creating a CMK',
    async run(c) {
      expectKmsError(c, await c.createKey({ key_alias: '' }), 400, aliasCode(c), 'empty alias');
    },
  },
  {
    id: 'CK-ALIAS-LEN-256',
    level: 'MUST',
    area: 'create-key',
    title: 'a 256-character key_alias is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.key_alias maxLength 255, x-kms-error-code; 000 Creating a CMK',
    async run(c) {
      const alias = aliasOfLength(c, c.facts.maxLength('CreateKeyRequest', 'key_alias') + 1);
      expectKmsError(c, await c.createKey({ key_alias: alias }), 400, aliasCode(c), '256-character alias');
    },
  },
  {
    id: 'CK-ALIAS-CHARSET',
    level: 'MUST',
    area: 'create-key',
    title: 'every character of a-z A-Z 0-9 : / _ - is accepted in key_alias',
    reference: 'spec: CreateKeyRequest.key_alias pattern ^[a-zA-Z0-9:/_-]{1,255}$; 000 Creating a CMK',
    async run(c) {
      const classes = { lower: 'abcdefghijklmnopqrstuvwxyz', upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', digits: '0123456789', colon: ':', slash: '/', underscore: '_', hyphen: '-' };
      // One key for the whole alphabet keeps the key count low; the class is in the alias.
      await expectAliasAccepted(c, `${c.uniqueAlias('cs')}-${Object.values(classes).join('')}`, 'alias with every allowed character');
      await expectAliasAccepted(c, `${c.uniqueAlias('cs')}:/_-`, 'alias ending in : / _ -');
    },
  },
  {
    id: 'CK-ALIAS-FORBIDDEN-CHARS',
    level: 'MUST',
    area: 'create-key',
    title: 'key_alias with a character outside the pattern is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.key_alias pattern, x-kms-error-code; 000 Creating a CMK',
    async run(c) {
      const forbidden = [' ', '.', '@', '*', '\\', '\n', '\t', 'é', '密', '%', '+', '"', '\u0000'];
      await expectEachRejected(c, forbidden, (ch) => c.createKey({ key_alias: `${c.uniqueAlias('bad')}${ch}x` }), 400, aliasCode(c), (ch) => `alias containing ${JSON.stringify(ch)}`);
    },
  },
  {
    id: 'CK-ALIAS-DEFAULT-SUFFIX',
    level: 'MUST',
    area: 'create-key',
    title: 'key_alias ending in /default is rejected (reserved for Default Master Keys)',
    reference: 'spec: CreateKeyRequest.key_alias pattern (?!.*/default$); 000 Creating a CMK, Note on /default',
    async run(c) {
      const cases = [`${c.uniqueAlias('dmk')}/default`, 'evs/default', '/default'];
      await expectEachRejected(c, cases, (alias) => c.createKey({ key_alias: alias }), 400, aliasCode(c), (alias) => `alias ${alias}`);
    },
  },
  {
    id: 'CK-ALIAS-DEFAULT-LOOKALIKES',
    level: 'MUST',
    area: 'create-key',
    title: 'aliases that only resemble the reserved suffix (x/defaults, x/default/y, default) are accepted',
    reference: 'spec: CreateKeyRequest.key_alias pattern (only a trailing /default is reserved); 000 Creating a CMK',
    async run(c) {
      await expectAliasAccepted(c, `${c.uniqueAlias('dl')}/defaults`, 'alias ending in /defaults');
      await expectAliasAccepted(c, `${c.uniqueAlias('dl')}/default/y`, 'alias with /default/ inside');
      await expectAliasAccepted(c, `${c.uniqueAlias('dl')}default`, 'alias ending in "default" without a slash');
      await expectFixedAliasAccepted(c, 'default', 'alias "default"');
    },
  },
  {
    id: 'CK-ALIAS-TYPE',
    level: 'MUST',
    area: 'create-key',
    title: 'a key_alias that is not a string is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.key_alias type string, x-kms-error-code',
    async run(c) {
      await expectEachRejected(c, [123, true, null, ['a'], { a: 'b' }], (value) => c.createKey({ key_alias: value }), 400, aliasCode(c), (v) => `key_alias ${JSON.stringify(v)}`);
    },
  },
  {
    id: 'CK-ALIAS-MISSING',
    level: 'MUST',
    area: 'create-key',
    title: 'create-key without key_alias is rejected (400 KMS.0204)',
    reference: 'spec: CreateKeyRequest.required [key_alias], info "missing required fields are always KMS.0204"; 000 Creating a CMK (key_alias mandatory)',
    async run(c) {
      expectKmsError(c, await c.createKey({}), 400, KMS_CODES.missingParameter, 'empty object');
      expectKmsError(c, await c.createKey({ key_description: 'no alias' }), 400, KMS_CODES.missingParameter, 'description only');
    },
  },
  {
    id: 'CK-DESC-LEN-255',
    level: 'MUST',
    area: 'create-key',
    title: 'key_description of 0 and 255 characters is accepted',
    reference: 'spec: CreateKeyRequest.key_description maxLength 255; 000 Creating a CMK "0 to 255 characters"',
    async run(c) {
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('d0'), key_description: '' }), 'empty description');
      const max = c.facts.maxLength('CreateKeyRequest', 'key_description');
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('d255'), key_description: 'd'.repeat(max) }), `${max}-character description`);
    },
  },
  {
    id: 'CK-DESC-LEN-256',
    level: 'MUST',
    area: 'create-key',
    title: 'a 256-character key_description is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.key_description maxLength 255, x-kms-error-code; 000 Creating a CMK',
    async run(c) {
      const max = c.facts.maxLength('CreateKeyRequest', 'key_description');
      expectKmsError(c, await c.createKey({ key_alias: c.uniqueAlias('d256'), key_description: 'd'.repeat(max + 1) }), 400, descriptionCode(c), `${max + 1}-character description`);
    },
  },
  {
    id: 'CK-DESC-TYPE',
    level: 'MUST',
    area: 'create-key',
    title: 'a key_description that is not a string is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.key_description type string, x-kms-error-code',
    async run(c) {
      await expectEachRejected(c, [5, false, ['d']], (value) => c.createKey({ key_alias: c.uniqueAlias('dt'), key_description: value }), 400, descriptionCode(c), (v) => `key_description ${JSON.stringify(v)}`);
    },
  },
  {
    id: 'CK-ORIGIN-VALUES',
    level: 'MUST',
    area: 'create-key',
    title: 'origin kms and external are accepted',
    reference: 'spec: CreateKeyRequest.origin enum [kms, external]; 000 Creating a CMK (origin)',
    async run(c) {
      for (const origin of c.facts.enumValues('CreateKeyRequest', 'origin')) {
        expectOk(c, await c.createKey({ key_alias: c.uniqueAlias(`o-${origin}`), origin }), `origin ${origin}`);
      }
    },
  },
  {
    id: 'CK-ORIGIN-BOGUS',
    level: 'MUST',
    area: 'create-key',
    title: 'an origin outside the enum is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.origin enum, x-kms-error-code; 000 Creating a CMK',
    async run(c) {
      const code = c.facts.fieldErrorCode('CreateKeyRequest', 'origin');
      await expectEachRejected(c, ['bogus', 'KMS', '', 1], (origin) => c.createKey({ key_alias: c.uniqueAlias('ob'), origin }), 400, code, (o) => `origin ${JSON.stringify(o)}`);
    },
  },
  {
    id: 'CK-EPID-VALID',
    level: 'MUST',
    area: 'create-key',
    title: 'enterprise_project_id "0" and a lower-case UUID are accepted',
    reference: 'spec: CreateKeyRequest.enterprise_project_id pattern; 001 创建密钥 (enterprise_project_id)',
    async run(c) {
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('ep0'), enterprise_project_id: '0' }), 'enterprise_project_id "0"');
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('epu'), enterprise_project_id: randomUUID() }), 'enterprise_project_id UUID');
    },
  },
  {
    id: 'CK-EPID-INVALID',
    level: 'MUST',
    area: 'create-key',
    title: 'an enterprise_project_id outside the pattern is rejected (400, the field code)',
    reference: 'spec: CreateKeyRequest.enterprise_project_id pattern, x-kms-error-code',
    async run(c) {
      const code = c.facts.fieldErrorCode('CreateKeyRequest', 'enterprise_project_id');
      const cases = ['abc', '00', randomUUID().toUpperCase(), '', 0];
      await expectEachRejected(c, cases, (value) => c.createKey({ key_alias: c.uniqueAlias('epx'), enterprise_project_id: value }), 400, code, (v) => `enterprise_project_id ${JSON.stringify(v)}`);
    },
  },
  {
    id: 'CK-SEQ-LEN-36',
    level: 'MUST',
    area: 'create-key',
    title: 'a 36-character sequence is accepted',
    reference: 'spec: Sequence minLength/maxLength 36; 000/001 "36-byte serial number"',
    async run(c) {
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('s36'), sequence: SEQUENCE_36 }), '36-character sequence');
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('s36'), sequence: '!'.repeat(18) + '~'.repeat(18) }), '36 printable ASCII characters');
    },
  },
  {
    id: 'CK-SEQ-LEN-35',
    level: 'MUST',
    area: 'create-key',
    title: 'a 35-character sequence is rejected (400, the field code)',
    reference: 'spec: Sequence minLength 36, x-kms-error-code; 000/001 "36-byte serial number"',
    async run(c) {
      const code = c.facts.fieldErrorCode('CreateKeyRequest', 'sequence');
      expectKmsError(c, await c.createKey({ key_alias: c.uniqueAlias('s35'), sequence: SEQUENCE_36.slice(1) }), 400, code, '35-character sequence');
    },
  },
  {
    id: 'CK-SEQ-LEN-37',
    level: 'MUST',
    area: 'create-key',
    title: 'a 37-character or non-printable sequence is rejected (400, the field code)',
    reference: 'spec: Sequence maxLength 36, pattern ^[\\x21-\\x7E]{36}$, x-kms-error-code; 000/001',
    async run(c) {
      const code = c.facts.fieldErrorCode('CreateKeyRequest', 'sequence');
      const cases = [`${SEQUENCE_36}0`, `${SEQUENCE_36.slice(1)} `, `${SEQUENCE_36.slice(1)}é`, 36];
      await expectEachRejected(c, cases, (sequence) => c.createKey({ key_alias: c.uniqueAlias('s37'), sequence }), 400, code, (s) => `sequence ${JSON.stringify(s)}`);
    },
  },
  {
    id: 'CK-KEY-UNKNOWN-FIELD',
    level: 'MUST',
    area: 'create-key',
    title: 'a body field the spec does not define is rejected (400 KMS.0308)',
    reference: 'spec: CreateKeyRequest additionalProperties false; docs/errors.md KMS.0308',
    async run(c) {
      expectKmsError(c, await c.createKey({ key_alias: c.uniqueAlias('uf'), key_spec: 'AES_256' }), 400, KMS_CODES.invalidParameter, 'field key_spec');
    },
  },
  {
    id: 'CK-KEY-BODY-NOT-OBJECT',
    level: 'MUST',
    area: 'create-key',
    title: 'a JSON body that is not an object is rejected (400 KMS.0308)',
    reference: 'spec: CreateKeyRequest type object; docs/errors.md KMS.0308 "is not a JSON object"',
    async run(c) {
      await expectEachRejected(c, ['[]', '"test"', '42', 'true'], (rawBody) => c.createKey(undefined, { rawBody }), 400, KMS_CODES.invalidParameter, (b) => `body ${b}`);
    },
  },
];
