import { randomUUID } from 'node:crypto';
import { ensure, expectKmsError, expectOk } from './assertions';
import type { Check } from './check';
import type { CheckContext } from './context';
import { KMS_CODES } from '../spec/spec-facts';

/** Asks for a data key through `keyRef` and requires that it came from `keyId`. */
async function expectResolves(c: CheckContext, keyRef: string, keyId: string, what: string): Promise<void> {
  const body = expectOk<{ key_id: string }>(c, await c.createDatakey({ key_id: keyRef, datakey_length: '256' }), what);
  ensure(body.key_id === keyId, `${what}: response key_id ${body.key_id} is not the CMK's ${keyId}`);
}

export const urn = (region: string, domainId: string, alias: string) => `kms:${region}:${domainId}:alias:${alias}`;

export const semanticsChecks: readonly Check[] = [
  {
    id: 'CK-SEM-DUPLICATE-ALIAS',
    level: 'MUST',
    area: 'semantics',
    title: 'a second key with the same alias in the project is 400 KMS.1104',
    reference: 'spec: createKey description "key_alias must be unique in the project (KMS.1104)"; kms-facts §2',
    async run(c) {
      const key = await c.newKey('dup');
      expectKmsError(c, await c.createKey({ key_alias: key.alias }), 400, KMS_CODES.duplicateAlias, 'same alias again');
      expectKmsError(c, await c.createKey({ key_alias: key.alias, origin: 'external' }), 400, KMS_CODES.duplicateAlias, 'same alias, other origin');
    },
  },
  {
    id: 'CK-SEM-ALIAS-CASE',
    level: 'SHOULD',
    area: 'semantics',
    title: 'aliases are compared exactly: one differing only in case is a different alias',
    reference: 'docs/errors.md KMS.1104 "compared exactly"; spec: key_alias pattern allows both cases',
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
    reference: 'spec: CreateDatakeyRequest.key_id "a key ID"; 002 Creating a DEK',
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
    reference: 'spec: CreateDatakeyRequest.key_id "an alias written alias/NAME"; kms-facts §2',
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
    reference: 'spec: CreateDatakeyRequest.key_id "an alias URN"; kms-facts §2. SHOULD because the region is server configuration the kit is told, not one it can discover',
    async run(c) {
      const key = await c.newKey('urn');
      await expectResolves(c, urn(c.region, key.domainId, key.alias), key.keyId, `by URN with region ${c.region}`);
    },
  },
  {
    id: 'CK-SEM-URN-FOREIGN',
    level: 'SHOULD',
    area: 'semantics',
    title: 'an alias URN naming another region or another domain is 404 KMS.0207',
    reference: 'spec: createDatakey description (another project looks missing); docs/errors.md KMS.0207 "a URN naming another region or domain"',
    async run(c) {
      const key = await c.newKey('urnx');
      const otherDomain = key.domainId.replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
      expectKmsError(c, await c.createDatakey({ key_id: urn(`${c.region}x`, key.domainId, key.alias), datakey_length: '256' }), 404, KMS_CODES.keyNotFound, 'URN with another region');
      expectKmsError(c, await c.createDatakey({ key_id: urn(c.region, otherDomain, key.alias), datakey_length: '256' }), 404, KMS_CODES.keyNotFound, 'URN with another domain');
    },
  },
  {
    id: 'CK-SEM-UNKNOWN-KEY',
    level: 'MUST',
    area: 'semantics',
    title: 'an unknown key ID or alias is 404 KMS.0207',
    reference: 'spec: NotFound "KMS.0207 the key does not exist"; kms-facts §1',
    async run(c) {
      expectKmsError(c, await c.createDatakey({ key_id: randomUUID(), datakey_length: '256' }), 404, KMS_CODES.keyNotFound, 'unknown key ID');
      expectKmsError(c, await c.createDatakey({ key_id: `alias/${c.uniqueAlias('none')}`, datakey_length: '256' }), 404, KMS_CODES.keyNotFound, 'unknown alias');
    },
  },
  {
    id: 'CK-SEM-EXTERNAL-NO-DATAKEY',
    level: 'MUST',
    area: 'semantics',
    title: 'a key created with origin external (pending import) cannot make a data key: 400 KMS.0310',
    reference: 'spec: createKey/createDatakey descriptions (pending import, KMS.0310); kms-facts §2',
    async run(c) {
      const key = await c.newKey('ext', { origin: 'external' });
      expectKmsError(c, await c.createDatakey({ key_id: key.keyId, datakey_length: '256' }), 400, KMS_CODES.pendingImport, 'external key by ID');
      expectKmsError(c, await c.createDatakey({ key_id: `alias/${key.alias}`, datakey_length: '256' }), 400, KMS_CODES.pendingImport, 'external key by alias');
    },
  },
];
