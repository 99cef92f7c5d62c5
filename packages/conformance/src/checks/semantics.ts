import { randomUUID } from 'node:crypto';
import { answer, ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, openkms, seed, SEED, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';
import { KMS_CODES } from '../spec/spec-facts';

/** Asks for a data key through `keyRef` and requires that it came from `keyId`. */
async function expectResolves(c: CheckContext, keyRef: string, keyId: string, what: string): Promise<void> {
  const body = expectOk<{ key_id: string }>(c, await c.createDatakey({ key_id: keyRef, datakey_length: '512' }), what);
  ensure(body.key_id === keyId, `${what}: response key_id ${body.key_id} is not the CMK's ${keyId}`);
}

export const urn = (region: string, domainId: string, alias: string) => `kms:${region}:${domainId}:alias:${alias}`;

const KEY_ID_PARAM = seed(`${SEED.createDatakey}, Request parameters: key_id (a key ID, alias/NAME, or URN)`);
const NOT_FOUND = errorTable('404 KMS.0207 the key does not exist');

export const semanticsChecks: readonly Check[] = [
  {
    id: 'CK-SEM-DUPLICATE-ALIAS',
    level: 'MUST',
    area: 'semantics',
    title: 'a second key with the same alias in the project is 400 KMS.1104',
    authority: [errorTable('400 KMS.1104 duplicate key alias'), apiReference('aliases are unique per project')],
    acceptedCodes: DOCUMENTED.duplicateAlias,
    reference: 'spec: createKey description "key_alias must be unique in the project (KMS.1104)"',
    keys: 1,
    async run(c) {
      const key = await c.newKey('dup');
      const strict = answer(400, KMS_CODES.duplicateAlias);
      expectRejected(c, await c.createKey({ key_alias: key.alias }), DOCUMENTED.duplicateAlias, strict, 'same alias again');
      expectRejected(
        c,
        await c.createKey({ key_alias: key.alias, origin: 'external' }),
        DOCUMENTED.duplicateAlias,
        strict,
        'same alias, other origin',
      );
    },
  },
  {
    id: 'CK-SEM-ALIAS-CASE',
    level: 'REFERENCE',
    area: 'semantics',
    title: 'aliases are compared exactly: one differing only in case is a different alias',
    authority: [openkms('docs/errors.md KMS.1104 "compared exactly" (the documents do not say whether case matters)')],
    acceptedCodes: [],
    reference: 'docs/errors.md KMS.1104 "compared exactly"; spec: key_alias pattern allows both cases',
    keys: 2,
    async run(c) {
      const key = await c.newKey('case-a');
      expectOk(c, await c.createKey({ key_alias: key.alias.toUpperCase() }), 'the alias in upper case');
    },
  },
  {
    id: 'CK-SEM-RESOLVE-ID',
    level: 'MUST',
    area: 'semantics',
    title: 'create-datakey finds the CMK by its key ID',
    authority: [KEY_ID_PARAM],
    acceptedCodes: [],
    reference: 'spec: CreateDatakeyRequest.key_id "a key ID"',
    keys: 1,
    async run(c) {
      const key = await c.newKey('rid');
      await expectResolves(c, key.keyId, key.keyId, 'by key ID');
    },
  },
  {
    id: 'CK-SEM-RESOLVE-ALIAS',
    level: 'MUST',
    area: 'semantics',
    title: 'create-datakey finds the CMK by alias/NAME, including aliases with / and :',
    authority: [KEY_ID_PARAM, seed(`${SEED.createKey}, Request parameters: key_alias (: and / allowed)`)],
    acceptedCodes: [],
    reference: 'spec: CreateDatakeyRequest.key_id "an alias written alias/NAME"',
    keys: 2,
    async run(c) {
      const key = await c.newKey('ral');
      await expectResolves(c, `alias/${key.alias}`, key.keyId, `by alias/${key.alias}`);
      const nested = await c.newKey('ral', {}, c.primary, `${c.uniqueAlias('ral')}/app:orders`);
      await expectResolves(c, `alias/${nested.alias}`, nested.keyId, `by alias/${nested.alias}`);
    },
  },
  {
    id: 'CK-SEM-RESOLVE-URN',
    level: 'SHOULD',
    area: 'semantics',
    title: 'create-datakey finds the CMK by the alias URN kms:<region>:<domain_id>:alias:<NAME> (region from --region)',
    authority: [seed(`${SEED.createDatakey}, Request parameters: key_id (URN, e.g. kms:eu-de-ring0:3ba4…:alias:4555)`)],
    acceptedCodes: [],
    reference:
      'spec: CreateDatakeyRequest.key_id "an alias URN". SHOULD because the region is server configuration the kit is told, not one it can discover',
    keys: 1,
    async run(c) {
      const key = await c.newKey('urn');
      await expectResolves(c, urn(c.region, key.domainId, key.alias), key.keyId, `by URN with region ${c.region}`);
    },
  },
  {
    id: 'CK-SEM-URN-FOREIGN',
    level: 'SHOULD',
    area: 'semantics',
    title: 'an alias URN naming another region or another domain does not find the key',
    authority: [
      seed(`${SEED.createDatakey}, Request parameters: key_id (URN)`),
      NOT_FOUND,
      errorTable('400 KMS.0205 invalid key ID, 403 KMS.0306 / KMS.0307 no access'),
    ],
    acceptedCodes: DOCUMENTED.foreignUrn,
    reference:
      'spec: createDatakey description (another project looks missing); docs/errors.md KMS.0207 "a URN naming another region or domain"',
    keys: 1,
    async run(c) {
      const key = await c.newKey('urnx');
      const otherDomain = key.domainId.replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
      const strict = answer(404, KMS_CODES.keyNotFound);
      const region = await c.createDatakey({ key_id: urn(`${c.region}x`, key.domainId, key.alias), datakey_length: '512' });
      expectRejected(c, region, DOCUMENTED.foreignUrn, strict, 'URN with another region');
      const domain = await c.createDatakey({ key_id: urn(c.region, otherDomain, key.alias), datakey_length: '512' });
      expectRejected(c, domain, DOCUMENTED.foreignUrn, strict, 'URN with another domain');
    },
    referenceTwin: { id: 'CK-REF-SEM-URN-FOREIGN', acceptedCodes: ['404 KMS.0207'] },
  },
  {
    id: 'CK-SEM-UNKNOWN-KEY',
    level: 'MUST',
    area: 'semantics',
    title: 'an unknown key ID or alias is 404 KMS.0207',
    authority: [KEY_ID_PARAM, NOT_FOUND],
    acceptedCodes: DOCUMENTED.keyNotFound,
    reference: 'spec: NotFound "KMS.0207 the key does not exist"',
    keys: 0,
    async run(c) {
      const strict = answer(404, KMS_CODES.keyNotFound);
      expectRejected(
        c,
        await c.createDatakey({ key_id: randomUUID(), datakey_length: '512' }),
        DOCUMENTED.keyNotFound,
        strict,
        'unknown key ID',
      );
      expectRejected(
        c,
        await c.createDatakey({ key_id: `alias/${c.uniqueAlias('none')}`, datakey_length: '512' }),
        DOCUMENTED.keyNotFound,
        strict,
        'unknown alias',
      );
    },
  },
  {
    id: 'CK-SEM-EXTERNAL-NO-DATAKEY',
    level: 'MUST',
    area: 'semantics',
    title: 'a key created with origin external (no material imported) cannot make a data key: a 400',
    authority: [
      seed(`${SEED.createKey}, Request parameters: origin ("external indicates that the CMK material is imported")`),
      apiReference('key_state 5 pending import'),
    ],
    acceptedCodes: DOCUMENTED.keyNotUsable,
    reference: 'spec: createKey/createDatakey descriptions (pending import, KMS.0310)',
    keys: 1,
    async run(c) {
      const key = await c.newKey('ext', { origin: 'external' });
      const strict = answer(400, KMS_CODES.pendingImport);
      expectRejected(
        c,
        await c.createDatakey({ key_id: key.keyId, datakey_length: '512' }),
        DOCUMENTED.keyNotUsable,
        strict,
        'external key by ID',
      );
      expectRejected(
        c,
        await c.createDatakey({ key_id: `alias/${key.alias}`, datakey_length: '512' }),
        DOCUMENTED.keyNotUsable,
        strict,
        'external key by alias',
      );
    },
    referenceTwin: { id: 'CK-REF-SEM-EXTERNAL-NO-DATAKEY', acceptedCodes: ['400 KMS.0310'] },
  },
];
