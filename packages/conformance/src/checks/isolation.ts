import { randomUUID } from 'node:crypto';
import type { HttpResponse } from '../http/kms-http';
import { answer, ensure, expectOk, expectRejected } from './assertions';
import { apiReference, errorTable, seed, SEED, type Check } from './check';
import type { CheckContext } from './context';
import { DOCUMENTED } from './documented-answers';
import { KMS_CODES } from '../spec/spec-facts';
import { urn } from './semantics';

/**
 * Another project's key must not be usable: not found (or no access). OpenKMS goes further
 * (REFERENCE): it looks exactly like a missing one, same status, code and message, so a caller
 * cannot probe which keys exist elsewhere.
 */
async function expectLooksMissing(c: CheckContext, keyRef: string, missingRef: string, what: string): Promise<void> {
  const other = c.otherCaller;
  const foreign = await c.createDatakey({ key_id: keyRef, datakey_length: '512' }, { caller: other });
  expectRejected(c, foreign, DOCUMENTED.foreignKey, answer(404, KMS_CODES.keyNotFound), what);
  if (!c.strict) return;
  const missing = await c.createDatakey({ key_id: missingRef, datakey_length: '512' }, { caller: other });
  ensure(errorOf(foreign) === errorOf(missing), `${what}: differs from a missing key: ${c.describe(foreign)} vs ${c.describe(missing)}`);
}

const PROJECTS = seed(`${SEED.createDatakey}, URI parameters: project_id (keys live in a project)`);
const FOREIGN = errorTable('404 KMS.0207 the key does not exist, 403 KMS.0306 / KMS.0307 no access permission');

function errorOf(response: HttpResponse): string {
  return `${response.status} ${JSON.stringify((response.json as { error?: unknown } | undefined)?.error)}`;
}

export const isolationChecks: readonly Check[] = [
  {
    id: 'CK-ISO-KEY-BY-ID',
    level: 'MUST',
    area: 'isolation',
    needsOtherProject: true,
    title: "another project's key ID cannot be used (not found, or no access)",
    authority: [PROJECTS, FOREIGN],
    acceptedCodes: DOCUMENTED.foreignKey,
    reference: 'spec: createDatakey description "belongs to another project, is 404 KMS.0207; both look the same"; KMS docs: errors',
    keys: 1,
    referenceTwin: { id: 'CK-REF-ISO-KEY-BY-ID', acceptedCodes: ['404 KMS.0207'] },
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
    title: "another project's alias cannot be used (not found, or no access)",
    authority: [PROJECTS, FOREIGN, apiReference('aliases are per project')],
    acceptedCodes: DOCUMENTED.foreignKey,
    reference: 'spec: createDatakey description (another project is 404 KMS.0207); KMS docs: keys (aliases are per project)',
    keys: 1,
    referenceTwin: { id: 'CK-REF-ISO-KEY-BY-ALIAS', acceptedCodes: ['404 KMS.0207'] },
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
    title: "another project's alias URN cannot be used (not found, or no access)",
    authority: [PROJECTS, FOREIGN, seed(`${SEED.createDatakey}, Request parameters: key_id (URN)`)],
    acceptedCodes: DOCUMENTED.foreignKey,
    reference: 'spec: createDatakey description; docs/errors.md KMS.0207. SHOULD: built with --region',
    keys: 1,
    referenceTwin: { id: 'CK-REF-ISO-KEY-BY-URN', acceptedCodes: ['404 KMS.0207'] },
    async run(c) {
      const key = await c.newKey('iso-urn');
      await expectLooksMissing(
        c,
        urn(c.region, key.domainId, key.alias),
        urn(c.region, key.domainId, c.uniqueAlias('iso-none')),
        "other project's URN",
      );
    },
  },
  {
    id: 'CK-ISO-ALIAS-PER-PROJECT',
    level: 'MUST',
    area: 'isolation',
    needsOtherProject: true,
    title: 'the same alias may exist in two projects, and each resolves to its own key',
    authority: [apiReference('aliases are unique per project'), errorTable('KMS.1104 duplicate key alias')],
    acceptedCodes: [],
    reference: 'spec: createKey description "unique in the project"; docs/errors.md KMS.1104 "The same alias in another project is fine"',
    keys: 2,
    async run(c) {
      const mine = await c.newKey('iso-pp');
      const theirs = await c.newKey('iso-pp', {}, c.otherCaller, mine.alias);
      ensure(mine.keyId !== theirs.keyId, 'two projects got the same key_id');
      const body = expectOk<{ key_id: string }>(
        c,
        await c.createDatakey({ key_id: `alias/${mine.alias}`, datakey_length: '512' }, { caller: c.otherCaller }),
        'second project by the shared alias',
      );
      ensure(body.key_id === theirs.keyId, `second project's alias resolved to ${body.key_id}, not its own key ${theirs.keyId}`);
    },
  },
];
