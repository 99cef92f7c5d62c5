import { randomUUID } from 'node:crypto';
import type { HttpResponse } from '../http/kms-http';
import { ensure, expectKmsError, expectOk } from './assertions';
import type { Check } from './check';
import type { CheckContext } from './context';
import { KMS_CODES } from '../spec/spec-facts';
import { urn } from './semantics';

/**
 * Another project's key must look exactly like a missing one: same status, same code, same
 * message, so a caller cannot probe which keys exist elsewhere.
 */
async function expectLooksMissing(c: CheckContext, keyRef: string, missingRef: string, what: string): Promise<void> {
  const other = c.otherCaller;
  const foreign = await c.createDatakey({ key_id: keyRef, datakey_length: '256' }, { caller: other });
  expectKmsError(c, foreign, 404, KMS_CODES.keyNotFound, what);
  const missing = await c.createDatakey({ key_id: missingRef, datakey_length: '256' }, { caller: other });
  ensure(errorOf(foreign) === errorOf(missing), `${what}: differs from a missing key: ${c.describe(foreign)} vs ${c.describe(missing)}`);
}

function errorOf(response: HttpResponse): string {
  return `${response.status} ${JSON.stringify((response.json as { error?: unknown } | undefined)?.error)}`;
}

export const isolationChecks: readonly Check[] = [
  {
    id: 'CK-ISO-KEY-BY-ID',
    level: 'MUST',
    area: 'isolation',
    needsOtherProject: true,
    title: "another project's key ID cannot be used and looks exactly like a missing key",
    reference: 'spec: createDatakey description "belongs to another project, is 404 KMS.0207; both look the same"; kms-facts §1',
    async run(c) {
      const key = await c.newKey('iso-id');
      await expectLooksMissing(c, key.keyId, randomUUID(), "other project's key by ID");
    },
  },
  {
    id: 'CK-ISO-KEY-BY-ALIAS',
    level: 'MUST',
    area: 'isolation',
    needsOtherProject: true,
    title: "another project's alias cannot be used and looks exactly like a missing alias",
    reference: 'spec: createDatakey description (another project is 404 KMS.0207); kms-facts §2 (aliases are per project)',
    async run(c) {
      const key = await c.newKey('iso-al');
      await expectLooksMissing(c, `alias/${key.alias}`, `alias/${c.uniqueAlias('iso-none')}`, "other project's alias");
    },
  },
  {
    id: 'CK-ISO-KEY-BY-URN',
    level: 'SHOULD',
    area: 'isolation',
    needsOtherProject: true,
    title: "another project's alias URN cannot be used (404 KMS.0207)",
    reference: 'spec: createDatakey description; docs/errors.md KMS.0207. SHOULD: built with --region',
    async run(c) {
      const key = await c.newKey('iso-urn');
      await expectLooksMissing(c, urn(c.region, key.domainId, key.alias), urn(c.region, key.domainId, c.uniqueAlias('iso-none')), "other project's URN");
    },
  },
  {
    id: 'CK-ISO-ALIAS-PER-PROJECT',
    level: 'MUST',
    area: 'isolation',
    needsOtherProject: true,
    title: 'the same alias may exist in two projects, and each resolves to its own key',
    reference: 'spec: createKey description "unique in the project"; docs/errors.md KMS.1104 "The same alias in another project is fine"',
    async run(c) {
      const mine = await c.newKey('iso-pp');
      const theirs = await c.newKey('iso-pp', {}, c.otherCaller, mine.alias);
      ensure(mine.keyId !== theirs.keyId, 'two projects got the same key_id');
      const body = expectOk<{ key_id: string }>(c, await c.createDatakey({ key_id: `alias/${mine.alias}`, datakey_length: '256' }, { caller: c.otherCaller }), 'second project by the shared alias');
      ensure(body.key_id === theirs.keyId, `second project's alias resolved to ${body.key_id}, not its own key ${theirs.keyId}`);
    },
  },
];
