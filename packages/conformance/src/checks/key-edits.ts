import { ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, type Check } from './check';
import { DOCUMENTED } from './documented-answers';

/**
 * update-key-alias and update-key-description (current API reference): optional operations; a
 * server without them reports NOT IMPLEMENTED.
 */

type AliasInfo = { key_info: { key_id: string; key_alias: string } };
type DescriptionInfo = { key_info: { key_id: string; key_description: string } };

const UPDATE_ALIAS = apiReference(
  'Changing the Alias of a CMK (update-key-alias): key_id, key_alias; answers key_info {key_id, key_alias}',
);
const UPDATE_DESCRIPTION = apiReference(
  'Changing the Description of a CMK (update-key-description): key_id, key_description (0 to 255 characters); answers key_info {key_id, key_description}',
);

export const keyEditChecks: readonly Check[] = [
  {
    id: 'CK-ALIAS-UPDATE',
    level: 'MUST',
    area: 'key-edits',
    title: 'update-key-alias answers key_info {key_id, key_alias}, and create-datakey then finds the key by its new alias',
    authority: [UPDATE_ALIAS],
    acceptedCodes: [],
    reference: 'spec: updateKeyAlias, UpdateKeyAliasResponse',
    keys: 1,
    async run(c) {
      const key = await c.newKey('ren');
      const alias = c.uniqueAlias('renamed');
      const body = expectOk<AliasInfo>(c, await c.post('updateKeyAlias', { key_id: key.keyId, key_alias: alias }), 'update-key-alias');
      ensure(body.key_info?.key_id === key.keyId, `key_info.key_id ${body.key_info?.key_id} is not ${key.keyId}`);
      ensure(body.key_info.key_alias === alias, `key_info.key_alias ${body.key_info.key_alias} is not ${alias}`);
      const made = expectOk<{ key_id: string }>(
        c,
        await c.createDatakey({ key_id: `alias/${alias}`, datakey_length: '256' }),
        'create-datakey by the new alias',
      );
      ensure(made.key_id === key.keyId, `alias/${alias} names ${made.key_id}, not the renamed key ${key.keyId}`);
    },
  },
  {
    id: 'CK-ALIAS-UPDATE-DUPLICATE',
    level: 'MUST',
    area: 'key-edits',
    title: "update-key-alias to another key's alias in the project is 400 KMS.1104",
    authority: [UPDATE_ALIAS, errorTable('KMS.1104 duplicate key alias')],
    acceptedCodes: DOCUMENTED.duplicateAlias,
    reference: 'spec: updateKeyAlias (KMS.1104)',
    keys: 2,
    async run(c) {
      const first = await c.newKey('dupa');
      const second = await c.newKey('dupb');
      const response = await c.post('updateKeyAlias', { key_id: second.keyId, key_alias: first.alias });
      expectRejected(c, response, DOCUMENTED.duplicateAlias, '400 KMS.1104', "another key's alias");
    },
  },
  {
    id: 'CK-ALIAS-UPDATE-INVALID',
    level: 'MUST',
    area: 'key-edits',
    title: 'update-key-alias refuses an empty, a 256-character, a /default and a dotted alias with a 400',
    authority: [UPDATE_ALIAS, errorTable('KMS.1101 invalid key_alias, KMS.0308 invalid parameter')],
    acceptedCodes: [...new Set([...DOCUMENTED.aliasEmpty, ...DOCUMENTED.aliasInvalid, ...DOCUMENTED.aliasReserved])],
    reference: 'spec: UpdateKeyAliasRequest.key_alias (KMS.1101)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-ALIAS-UPDATE-INVALID', acceptedCodes: ['400 KMS.1101'] },
    async run(c) {
      const key = await c.newKey('badren');
      const cases: [string, readonly string[]][] = [
        ['', DOCUMENTED.aliasEmpty],
        ['a'.repeat(256), DOCUMENTED.aliasInvalid],
        ['app/default', DOCUMENTED.aliasReserved],
        ['dot.ted', DOCUMENTED.aliasInvalid],
      ];
      for (const [alias, accepted] of cases) {
        const response = await c.post('updateKeyAlias', { key_id: key.keyId, key_alias: alias });
        expectRejected(
          c,
          response,
          accepted,
          '400 KMS.1101',
          `key_alias ${JSON.stringify(alias.length > 20 ? `${alias.slice(0, 8)}…` : alias)}`,
        );
      }
    },
  },
  {
    id: 'CK-DESC-UPDATE',
    level: 'MUST',
    area: 'key-edits',
    title: 'update-key-description answers key_info {key_id, key_description} for 255 characters and for the empty string',
    authority: [UPDATE_DESCRIPTION],
    acceptedCodes: [],
    reference: 'spec: updateKeyDescription, UpdateKeyDescriptionResponse',
    keys: 1,
    async run(c) {
      const key = await c.newKey('desc', { key_description: 'before' });
      for (const description of ['d'.repeat(255), '']) {
        const body = expectOk<DescriptionInfo>(
          c,
          await c.post('updateKeyDescription', { key_id: key.keyId, key_description: description }),
          `update-key-description to ${description.length} characters`,
        );
        ensure(body.key_info?.key_id === key.keyId, `key_info.key_id ${body.key_info?.key_id} is not ${key.keyId}`);
        ensure(body.key_info.key_description === description, 'key_info.key_description is not the description sent');
      }
    },
  },
  {
    id: 'CK-DESC-UPDATE-INVALID',
    level: 'MUST',
    area: 'key-edits',
    title: 'update-key-description refuses 256 characters with a 400',
    authority: [UPDATE_DESCRIPTION, errorTable('KMS.1103 invalid key_description, KMS.0308 invalid parameter')],
    acceptedCodes: DOCUMENTED.descriptionInvalid,
    reference: 'spec: UpdateKeyDescriptionRequest.key_description (KMS.1103)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-DESC-UPDATE-INVALID', acceptedCodes: ['400 KMS.1103'] },
    async run(c) {
      const key = await c.newKey('baddesc');
      const response = await c.post('updateKeyDescription', { key_id: key.keyId, key_description: 'd'.repeat(256) });
      expectRejected(c, response, DOCUMENTED.descriptionInvalid, '400 KMS.1103', 'a 256-character description');
    },
  },
];
