import { ensure, expectOk } from './assertions';
import { apiReference, type Check } from './check';
import type { CheckContext } from './context';

/** user-quotas and user-instances (current API reference, both GET): optional; NOT IMPLEMENTED without the routes. */

type Resource = { type: string; used: number; quota: number };
type Quotas = { quotas: { resources: Resource[] } };

const QUOTAS = apiReference(
  'Querying the Quota of a User (GET user-quotas): quotas.resources[] of {type CMK or grant_per_CMK, used, quota}, integers',
);
const INSTANCES = apiReference('Querying the Number of Instances (GET user-instances): instance_num, an integer');

async function cmkResource(c: CheckContext): Promise<Resource> {
  const body = expectOk<Quotas>(c, await c.get('showUserQuotas'), 'user-quotas');
  const resources = body.quotas?.resources;
  ensure(Array.isArray(resources), 'quotas.resources is not an array');
  const cmk = resources.find((r) => r.type === 'CMK');
  ensure(cmk !== undefined, 'quotas.resources has no CMK entry');
  ensure(
    Number.isInteger(cmk.used) && Number.isInteger(cmk.quota) && cmk.used >= 0 && cmk.quota >= cmk.used,
    `the CMK entry ${JSON.stringify(cmk)} is not used <= quota integers`,
  );
  return cmk;
}

export const quotaChecks: readonly Check[] = [
  {
    id: 'CK-QUOTAS-CMK',
    level: 'MUST',
    area: 'quotas',
    title: 'user-quotas lists a CMK entry with integers used <= quota, and a new key raises used by one',
    authority: [QUOTAS],
    acceptedCodes: [],
    reference: 'spec: showUserQuotas, UserQuotasResponse',
    keys: 1,
    async run(c) {
      const before = await cmkResource(c);
      await c.newKey('quota');
      const after = await cmkResource(c);
      // Other clients of the project (or kit runs) may create keys meanwhile: at least one more.
      ensure(after.used >= before.used + 1, `used went from ${before.used} to ${after.used} after creating a key`);
      ensure(after.quota === before.quota, `quota changed from ${before.quota} to ${after.quota}`);
    },
  },
  {
    id: 'CK-INSTANCES-COUNT',
    level: 'MUST',
    area: 'quotas',
    title: 'user-instances answers instance_num, an integer that a new key raises (by one, or more when others create keys meanwhile)',
    authority: [INSTANCES],
    acceptedCodes: [],
    reference: 'spec: showUserInstances, UserInstancesResponse',
    keys: 1,
    async run(c) {
      const count = async () => {
        const body = expectOk<{ instance_num: number }>(c, await c.get('showUserInstances'), 'user-instances');
        ensure(Number.isInteger(body.instance_num) && body.instance_num >= 0, `instance_num ${String(body.instance_num)} is not a count`);
        return body.instance_num;
      };
      const before = await count();
      await c.newKey('inst');
      const after = await count();
      ensure(after >= before + 1, `instance_num went from ${before} to ${after} after creating a key`);
    },
  },
];
