import { randomBytes, randomUUID } from 'node:crypto';
import { answer, ensure, expectEachRejected, expectOk, expectRejected } from './assertions';
import { errorTable, openkms, seed, SEED, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';
import { KMS_CODES } from '../spec/spec-facts';

const DOMAIN_ID = /^[0-9a-f]{32}$/;
const SEQUENCE_36 = '919c82d4-8046-4722-9094-35c3c6524cff';

type KeyInfoBody = { key_info: { key_id: string; domain_id: string } };

/** OpenKMS's exact answers, read from the spec's x-kms-error-code. */
const aliasCode = (c: CheckContext) => answer(400, c.facts.fieldErrorCode('CreateKeyRequest', 'key_alias'));
const descriptionCode = (c: CheckContext) => answer(400, c.facts.fieldErrorCode('CreateKeyRequest', 'key_description'));
const fieldCode = (c: CheckContext, field: string) => answer(400, c.facts.fieldErrorCode('CreateKeyRequest', field));

const ALIAS_PARAM = seed(`${SEED.createKey}, Request parameters: key_alias (1 to 255 characters, ^[a-zA-Z0-9:/_-]{1,255}$)`);
const STATUS_400 = seed(`${SEED.createKeyCn}, status codes: 400 请求参数有误 (invalid parameters)`);
const FIELD_CODES = errorTable(
  'KMS.1101 invalid key_alias, KMS.1103 invalid key_description, KMS.0206 invalid sequence, KMS.0308 invalid parameter',
);

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
  expectRejected(
    c,
    response,
    DOCUMENTED.duplicateAlias,
    answer(400, KMS_CODES.duplicateAlias),
    `${what} (200, or ${KMS_CODES.duplicateAlias} if an earlier run created it)`,
  );
}

export const createKeyChecks: readonly Check[] = [
  {
    id: 'CK-KEY-CREATE-MINIMAL',
    level: 'MUST',
    area: 'create-key',
    title: 'create-key with only key_alias returns 200 and {key_info:{key_id,domain_id}}',
    authority: [
      seed(`${SEED.createKey}, Examples (request {"key_alias":"test"}, response key_info)`),
      seed(`${SEED.createKeyCn}, 响应参数 (key_info is one KeKInfo object)`),
      seed(`${SEED.createDatakey}, Request parameters: key_id (the key ID format)`),
    ],
    acceptedCodes: [],
    reference: 'spec: createKey 200, CreateKeyResponse, KeyInfo',
    keys: 1,
    async run(c) {
      const body = expectOk<KeyInfoBody>(c, await c.createKey({ key_alias: c.uniqueAlias('min') }), 'minimal create-key');
      ensure(c.facts.keyIdPattern().test(body.key_info.key_id), `key_id ${body.key_info.key_id} is not a 36-character lower-case UUID`);
      // The documents show a domain_id, not its format: 32 lower-case hex characters is our reading (REFERENCE).
      ensure(body.key_info.domain_id.length > 0, 'domain_id is empty');
      if (c.strict)
        ensure(DOMAIN_ID.test(body.key_info.domain_id), `domain_id ${body.key_info.domain_id} is not 32 lower-case hex characters`);
    },
    referenceTwin: { id: 'CK-REF-KEY-CREATE-MINIMAL', acceptedCodes: [] },
  },
  {
    id: 'CK-KEY-CREATE-FULL',
    level: 'MUST',
    area: 'create-key',
    title: 'create-key with every optional field of the documents returns 200',
    authority: [seed(`${SEED.createKeyCn}, 请求Body参数 (key_description, origin, enterprise_project_id "0", sequence)`)],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest (key_description, origin, enterprise_project_id, sequence)',
    keys: 1,
    async run(c) {
      const body = {
        key_alias: c.uniqueAlias('full'),
        key_description: 'conformance kit',
        origin: 'kms',
        enterprise_project_id: '0',
        sequence: SEQUENCE_36,
      };
      expectOk(c, await c.createKey(body), 'create-key with every field');
    },
  },
  {
    id: 'CK-KEY-IDS-UNIQUE',
    level: 'MUST',
    area: 'create-key',
    title: 'two keys get different key_ids and the same domain_id',
    authority: [seed(`${SEED.createKey}, Responses: key_id (CMK ID), domain_id (user domain ID)`)],
    acceptedCodes: [],
    reference: 'spec: KeyInfo.key_id (a UUID per key), KeyInfo.domain_id (the account)',
    keys: 2,
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
    authority: [ALIAS_PARAM],
    acceptedCodes: DOCUMENTED.duplicateAlias,
    reference: 'spec: CreateKeyRequest.key_alias minLength 1',
    keys: 1,
    async run(c) {
      // 62 one-character names exist; earlier runs may hold some, so try random ones until one is free.
      const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      let last = '';
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const alias = alphabet[randomBytes(1)[0]! % alphabet.length]!;
        const response = await c.createKey({ key_alias: alias });
        if (response.status === 200) return;
        expectRejected(
          c,
          response,
          DOCUMENTED.duplicateAlias,
          answer(400, KMS_CODES.duplicateAlias),
          `1-character alias "${alias}" (200, or duplicate if taken)`,
        );
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
    authority: [ALIAS_PARAM],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest.key_alias maxLength 255',
    keys: 1,
    run: (c) => expectAliasAccepted(c, aliasOfLength(c, c.facts.maxLength('CreateKeyRequest', 'key_alias')), '255-character alias'),
  },
  {
    id: 'CK-ALIAS-LEN-0',
    level: 'MUST',
    area: 'create-key',
    title: 'an empty key_alias is rejected with a 400',
    authority: [ALIAS_PARAM, STATUS_400, FIELD_CODES, errorTable('KMS.0204 a required parameter is missing')],
    acceptedCodes: DOCUMENTED.aliasEmpty,
    reference: 'spec: CreateKeyRequest.key_alias minLength 1, x-kms-error-code',
    keys: 0,
    async run(c) {
      expectRejected(c, await c.createKey({ key_alias: '' }), DOCUMENTED.aliasEmpty, aliasCode(c), 'empty alias');
    },
    referenceTwin: { id: 'CK-REF-ALIAS-LEN-0', acceptedCodes: ['400 KMS.1101'] },
  },
  {
    id: 'CK-ALIAS-LEN-256',
    level: 'MUST',
    area: 'create-key',
    title: 'a 256-character key_alias is rejected with a 400',
    authority: [ALIAS_PARAM, STATUS_400, FIELD_CODES],
    acceptedCodes: DOCUMENTED.aliasInvalid,
    reference: 'spec: CreateKeyRequest.key_alias maxLength 255, x-kms-error-code',
    keys: 0,
    async run(c) {
      const alias = aliasOfLength(c, c.facts.maxLength('CreateKeyRequest', 'key_alias') + 1);
      expectRejected(c, await c.createKey({ key_alias: alias }), DOCUMENTED.aliasInvalid, aliasCode(c), '256-character alias');
    },
    referenceTwin: { id: 'CK-REF-ALIAS-LEN-256', acceptedCodes: ['400 KMS.1101'] },
  },
  {
    id: 'CK-ALIAS-CHARSET',
    level: 'MUST',
    area: 'create-key',
    title: 'every character of a-z A-Z 0-9 : / _ - is accepted in key_alias',
    authority: [ALIAS_PARAM],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest.key_alias pattern ^[a-zA-Z0-9:/_-]{1,255}$',
    keys: 2,
    async run(c) {
      const classes = {
        lower: 'abcdefghijklmnopqrstuvwxyz',
        upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        digits: '0123456789',
        colon: ':',
        slash: '/',
        underscore: '_',
        hyphen: '-',
      };
      // One key for the whole alphabet keeps the key count low; the class is in the alias.
      await expectAliasAccepted(c, `${c.uniqueAlias('cs')}-${Object.values(classes).join('')}`, 'alias with every allowed character');
      await expectAliasAccepted(c, `${c.uniqueAlias('cs')}:/_-`, 'alias ending in : / _ -');
    },
  },
  {
    id: 'CK-ALIAS-FORBIDDEN-CHARS',
    level: 'MUST',
    area: 'create-key',
    title: 'key_alias with a character outside ^[a-zA-Z0-9:/_-]$ is rejected with a 400',
    authority: [ALIAS_PARAM, STATUS_400, FIELD_CODES],
    acceptedCodes: DOCUMENTED.aliasInvalid,
    reference: 'spec: CreateKeyRequest.key_alias pattern, x-kms-error-code',
    keys: 0,
    async run(c) {
      const forbidden = [' ', '.', '@', '*', '\\', '\n', '\t', 'é', '密', '%', '+', '"', '\u0000'];
      await expectEachRejected(
        c,
        forbidden,
        (ch) => c.createKey({ key_alias: `${c.uniqueAlias('bad')}${ch}x` }),
        DOCUMENTED.aliasInvalid,
        aliasCode(c),
        (ch) => `alias containing ${JSON.stringify(ch)}`,
      );
    },
    referenceTwin: { id: 'CK-REF-ALIAS-FORBIDDEN-CHARS', acceptedCodes: ['400 KMS.1101'] },
  },
  {
    id: 'CK-ALIAS-DEFAULT-SUFFIX',
    level: 'MUST',
    area: 'create-key',
    title: 'key_alias ending in /default is rejected (reserved for Default Master Keys)',
    authority: [
      seed(`${SEED.createKey}, Note ("do not choose those ending with /default")`),
      seed(`${SEED.createKeyCn}, 接口约束`),
      FIELD_CODES,
      errorTable('KMS.0211 not allowed on a Default Master Key'),
    ],
    acceptedCodes: DOCUMENTED.aliasReserved,
    reference: 'spec: CreateKeyRequest.key_alias pattern (?!.*/default$)',
    keys: 0,
    async run(c) {
      const cases = [`${c.uniqueAlias('dmk')}/default`, 'evs/default', '/default'];
      await expectEachRejected(
        c,
        cases,
        (alias) => c.createKey({ key_alias: alias }),
        DOCUMENTED.aliasReserved,
        aliasCode(c),
        (alias) => `alias ${alias}`,
      );
    },
    referenceTwin: { id: 'CK-REF-ALIAS-DEFAULT-SUFFIX', acceptedCodes: ['400 KMS.1101'] },
  },
  {
    id: 'CK-ALIAS-DEFAULT-LOOKALIKES',
    level: 'MUST',
    area: 'create-key',
    title: 'aliases that only resemble the reserved suffix (x/defaults, x/default/y, default) are accepted',
    authority: [seed(`${SEED.createKey}, Note (only names ending with /default are reserved)`), ALIAS_PARAM],
    acceptedCodes: DOCUMENTED.duplicateAlias,
    reference: 'spec: CreateKeyRequest.key_alias pattern (only a trailing /default is reserved)',
    keys: 4,
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
    title: 'a key_alias that is not a string is rejected with a 400',
    authority: [
      seed(`${SEED.createKey}, Request parameters: key_alias (Type String)`),
      STATUS_400,
      FIELD_CODES,
      errorTable('KMS.0204 a required parameter is missing (null)'),
    ],
    acceptedCodes: DOCUMENTED.aliasEmpty,
    reference: 'spec: CreateKeyRequest.key_alias type string, x-kms-error-code',
    keys: 0,
    async run(c) {
      const cases: unknown[] = [123, true, null, ['a'], { a: 'b' }];
      await expectEachRejected(
        c,
        cases,
        (value) => c.createKey({ key_alias: value }),
        DOCUMENTED.aliasEmpty,
        aliasCode(c),
        (v) => `key_alias ${JSON.stringify(v)}`,
      );
    },
    referenceTwin: { id: 'CK-REF-ALIAS-TYPE', acceptedCodes: ['400 KMS.1101'] },
  },
  {
    id: 'CK-ALIAS-MISSING',
    level: 'MUST',
    area: 'create-key',
    title: 'create-key without key_alias is rejected (400 KMS.0204)',
    authority: [
      seed(`${SEED.createKey}, Request parameters: key_alias (Mandatory)`),
      errorTable('KMS.0204 a required parameter is missing'),
    ],
    acceptedCodes: DOCUMENTED.missingParameter,
    reference: 'spec: CreateKeyRequest.required [key_alias], info "missing required fields are always KMS.0204"',
    keys: 0,
    async run(c) {
      const strict = answer(400, KMS_CODES.missingParameter);
      expectRejected(c, await c.createKey({}), DOCUMENTED.missingParameter, strict, 'empty object');
      expectRejected(c, await c.createKey({ key_description: 'no alias' }), DOCUMENTED.missingParameter, strict, 'description only');
    },
  },
  {
    id: 'CK-DESC-LEN-255',
    level: 'MUST',
    area: 'create-key',
    title: 'key_description of 0 and 255 characters is accepted',
    authority: [seed(`${SEED.createKey}, Request parameters: key_description (0 to 255 characters)`)],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest.key_description maxLength 255',
    keys: 2,
    async run(c) {
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('d0'), key_description: '' }), 'empty description');
      const max = c.facts.maxLength('CreateKeyRequest', 'key_description');
      expectOk(
        c,
        await c.createKey({ key_alias: c.uniqueAlias('d255'), key_description: 'd'.repeat(max) }),
        `${max}-character description`,
      );
    },
  },
  {
    id: 'CK-DESC-LEN-256',
    level: 'MUST',
    area: 'create-key',
    title: 'a 256-character key_description is rejected with a 400',
    authority: [seed(`${SEED.createKey}, Request parameters: key_description (0 to 255 characters)`), STATUS_400, FIELD_CODES],
    acceptedCodes: DOCUMENTED.descriptionInvalid,
    reference: 'spec: CreateKeyRequest.key_description maxLength 255, x-kms-error-code',
    keys: 0,
    async run(c) {
      const max = c.facts.maxLength('CreateKeyRequest', 'key_description');
      const response = await c.createKey({ key_alias: c.uniqueAlias('d256'), key_description: 'd'.repeat(max + 1) });
      expectRejected(c, response, DOCUMENTED.descriptionInvalid, descriptionCode(c), `${max + 1}-character description`);
    },
    referenceTwin: { id: 'CK-REF-DESC-LEN-256', acceptedCodes: ['400 KMS.1103'] },
  },
  {
    id: 'CK-DESC-TYPE',
    level: 'MUST',
    area: 'create-key',
    title: 'a key_description that is not a string is rejected with a 400',
    authority: [seed(`${SEED.createKey}, Request parameters: key_description (Type String)`), STATUS_400, FIELD_CODES],
    acceptedCodes: DOCUMENTED.descriptionInvalid,
    reference: 'spec: CreateKeyRequest.key_description type string, x-kms-error-code',
    keys: 0,
    async run(c) {
      const send = (value: unknown) => c.createKey({ key_alias: c.uniqueAlias('dt'), key_description: value });
      await expectEachRejected(
        c,
        [5, false, ['d']],
        send,
        DOCUMENTED.descriptionInvalid,
        descriptionCode(c),
        (v) => `key_description ${JSON.stringify(v)}`,
      );
    },
    referenceTwin: { id: 'CK-REF-DESC-TYPE', acceptedCodes: ['400 KMS.1103'] },
  },
  {
    id: 'CK-ORIGIN-VALUES',
    level: 'MUST',
    area: 'create-key',
    title: 'origin kms and external are accepted',
    authority: [seed(`${SEED.createKey}, Request parameters: origin (kms, external)`)],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest.origin enum [kms, external]',
    keys: 2,
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
    title: 'an origin outside kms and external (or not a string) is rejected with a 400',
    authority: [
      seed(`${SEED.createKey}, Request parameters: origin ("The following values are enumerated")`),
      STATUS_400,
      errorTable('KMS.0308 invalid parameter'),
    ],
    acceptedCodes: DOCUMENTED.parameterInvalid,
    reference: 'spec: CreateKeyRequest.origin enum, x-kms-error-code',
    keys: 0,
    async run(c) {
      // "KMS" (case) and "" (read as the default) are open readings: only OpenKMS is held to reject them.
      const cases: unknown[] = c.strict ? ['bogus', 1, 'KMS', ''] : ['bogus', 1];
      const send = (origin: unknown) => c.createKey({ key_alias: c.uniqueAlias('ob'), origin });
      await expectEachRejected(c, cases, send, DOCUMENTED.parameterInvalid, fieldCode(c, 'origin'), (o) => `origin ${JSON.stringify(o)}`);
    },
    referenceTwin: { id: 'CK-REF-ORIGIN-BOGUS', acceptedCodes: ['400 KMS.0308'] },
  },
  {
    id: 'CK-EPID-VALID',
    level: 'MUST',
    area: 'create-key',
    title: 'enterprise_project_id "0" (the default enterprise project) is accepted',
    authority: [seed(`${SEED.createKeyCn}, 请求Body参数: enterprise_project_id (默认企业多项目ID "0")`)],
    acceptedCodes: [],
    reference: 'spec: CreateKeyRequest.enterprise_project_id pattern',
    keys: 2,
    async run(c) {
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('ep0'), enterprise_project_id: '0' }), 'enterprise_project_id "0"');
      // Whether an arbitrary enterprise project exists is the server's business; OpenKMS takes any UUID.
      if (c.strict)
        expectOk(
          c,
          await c.createKey({ key_alias: c.uniqueAlias('epu'), enterprise_project_id: randomUUID() }),
          'enterprise_project_id UUID',
        );
    },
    referenceTwin: { id: 'CK-REF-EPID-VALID', acceptedCodes: [] },
  },
  {
    id: 'CK-EPID-INVALID',
    level: 'REFERENCE',
    area: 'create-key',
    title: 'an enterprise_project_id other than "0" or a lower-case UUID is rejected (400 KMS.0308)',
    authority: [openkms('spec/kms.yaml CreateKeyRequest.enterprise_project_id pattern (the documents give no format)')],
    acceptedCodes: ['400 KMS.0308'],
    reference: 'spec: CreateKeyRequest.enterprise_project_id pattern, x-kms-error-code',
    keys: 0,
    async run(c) {
      const cases: unknown[] = ['abc', '00', randomUUID().toUpperCase(), '', 0];
      const send = (value: unknown) => c.createKey({ key_alias: c.uniqueAlias('epx'), enterprise_project_id: value });
      await expectEachRejected(
        c,
        cases,
        send,
        ['400 KMS.0308'],
        fieldCode(c, 'enterprise_project_id'),
        (v) => `enterprise_project_id ${JSON.stringify(v)}`,
      );
    },
  },
  {
    id: 'CK-SEQ-LEN-36',
    level: 'MUST',
    area: 'create-key',
    title: 'a 36-character sequence (the documented UUID form) is accepted',
    authority: [seed(`${SEED.createKey}, Request parameters: sequence ("36-byte serial number", example 919c82d4-…)`)],
    acceptedCodes: [],
    reference: 'spec: Sequence minLength/maxLength 36',
    keys: 2,
    async run(c) {
      expectOk(c, await c.createKey({ key_alias: c.uniqueAlias('s36'), sequence: SEQUENCE_36 }), '36-character sequence');
      // Any 36 printable ASCII characters is OpenKMS's reading of "36-byte"; a server may want the UUID form.
      if (c.strict)
        expectOk(
          c,
          await c.createKey({ key_alias: c.uniqueAlias('s36'), sequence: '!'.repeat(18) + '~'.repeat(18) }),
          '36 printable ASCII characters',
        );
    },
    referenceTwin: { id: 'CK-REF-SEQ-LEN-36', acceptedCodes: [] },
  },
  {
    id: 'CK-SEQ-LEN-35',
    level: 'MUST',
    area: 'create-key',
    title: 'a 35-character sequence is rejected with a 400',
    authority: [seed(`${SEED.createKey}, Request parameters: sequence ("36-byte serial number")`), STATUS_400, FIELD_CODES],
    acceptedCodes: DOCUMENTED.sequenceInvalid,
    reference: 'spec: Sequence minLength 36, x-kms-error-code',
    keys: 0,
    async run(c) {
      const response = await c.createKey({ key_alias: c.uniqueAlias('s35'), sequence: SEQUENCE_36.slice(1) });
      expectRejected(c, response, DOCUMENTED.sequenceInvalid, fieldCode(c, 'sequence'), '35-character sequence');
    },
    referenceTwin: { id: 'CK-REF-SEQ-LEN-35', acceptedCodes: ['400 KMS.0206'] },
  },
  {
    id: 'CK-SEQ-LEN-37',
    level: 'MUST',
    area: 'create-key',
    title: 'a 37-character sequence, or one that is not a string, is rejected with a 400',
    authority: [seed(`${SEED.createKey}, Request parameters: sequence ("36-byte serial number", Type String)`), STATUS_400, FIELD_CODES],
    acceptedCodes: DOCUMENTED.sequenceInvalid,
    reference: 'spec: Sequence maxLength 36, pattern ^[\\x21-\\x7E]{36}$, x-kms-error-code',
    keys: 0,
    async run(c) {
      // 36 characters with a space or a non-ASCII one: the documents fix the length only; OpenKMS also wants printable ASCII.
      const cases: unknown[] = c.strict
        ? [`${SEQUENCE_36}0`, 36, `${SEQUENCE_36.slice(1)} `, `${SEQUENCE_36.slice(1)}é`]
        : [`${SEQUENCE_36}0`, 36];
      const send = (sequence: unknown) => c.createKey({ key_alias: c.uniqueAlias('s37'), sequence });
      await expectEachRejected(
        c,
        cases,
        send,
        DOCUMENTED.sequenceInvalid,
        fieldCode(c, 'sequence'),
        (s) => `sequence ${JSON.stringify(s)}`,
      );
    },
    referenceTwin: { id: 'CK-REF-SEQ-LEN-37', acceptedCodes: ['400 KMS.0206'] },
  },
  {
    id: 'CK-KEY-UNKNOWN-FIELD',
    level: 'REFERENCE',
    area: 'create-key',
    title: 'a body field no API revision defines is rejected (400 KMS.0308, naming the field)',
    authority: [
      openkms(
        'spec/kms.yaml CreateKeyRequest additionalProperties false; the documents do not forbid extra fields, and newer revisions add key_spec, key_usage, keystore_id',
      ),
    ],
    acceptedCodes: ['400 KMS.0308'],
    reference: 'spec: CreateKeyRequest additionalProperties false; docs/errors.md KMS.0308',
    keys: 0,
    async run(c) {
      const response = await c.createKey({ key_alias: c.uniqueAlias('uf'), ck_no_such_field: 'x' });
      expectRejected(c, response, ['400 KMS.0308'], answer(400, KMS_CODES.invalidParameter), 'field ck_no_such_field');
      // The message names the field, so a client of a newer revision learns which one to drop.
      const message = (response.json as { error: { error_msg: string } }).error.error_msg;
      ensure(message.includes('ck_no_such_field'), `field ck_no_such_field: error_msg "${message}" does not name the field`);
    },
  },
  {
    id: 'CK-KEY-BODY-NOT-OBJECT',
    level: 'MUST',
    area: 'create-key',
    title: 'a JSON body that is not an object is rejected with a 400',
    authority: [
      seed(`${SEED.createKey}, Requests (a body of named parameters)`),
      STATUS_400,
      errorTable('KMS.0308 invalid parameter, KMS.0202 not valid JSON, KMS.0204 missing parameter'),
    ],
    acceptedCodes: DOCUMENTED.bodyNotObject,
    reference: 'spec: CreateKeyRequest type object; docs/errors.md KMS.0308 "is not a JSON object"',
    keys: 0,
    async run(c) {
      const send = (rawBody: string) => c.createKey(undefined, { rawBody });
      await expectEachRejected(
        c,
        ['[]', '"test"', '42', 'true'],
        send,
        DOCUMENTED.bodyNotObject,
        answer(400, KMS_CODES.invalidParameter),
        (b) => `body ${b}`,
      );
    },
    referenceTwin: { id: 'CK-REF-KEY-BODY-NOT-OBJECT', acceptedCodes: ['400 KMS.0308'] },
  },
];
