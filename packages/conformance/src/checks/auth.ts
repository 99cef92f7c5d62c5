import { randomBytes } from 'node:crypto';
import { ensure, expectKmsError } from './assertions';
import type { Check } from './check';
import type { CheckContext, PostOptions } from './context';
import { KMS_CODES } from '../spec/spec-facts';

/** Sends one valid-looking request per operation with these options; auth is checked before the body matters. */
async function expectBothOperations(c: CheckContext, options: PostOptions, status: number, code: string, what: string): Promise<void> {
  expectKmsError(c, await c.createKey({ key_alias: c.uniqueAlias('auth') }, options), status, code, `create-key, ${what}`);
  expectKmsError(c, await c.createDatakey({ key_id: 'alias/none', datakey_length: '256' }, options), status, code, `create-datakey, ${what}`);
}

export const authChecks: readonly Check[] = [
  {
    id: 'CK-AUTH-MISSING-TOKEN',
    level: 'MUST',
    area: 'auth',
    title: 'no X-Auth-Token is 403 KMS.0301 (never 401)',
    reference: 'spec: securitySchemes.AuthToken, Forbidden (KMS.0301), info "Authentication failures are 403, never 401"; 001/002 X-Auth-Token',
    run: (c) => expectBothOperations(c, { token: null }, 403, KMS_CODES.tokenMissing, 'no token'),
  },
  {
    id: 'CK-AUTH-EMPTY-TOKEN',
    level: 'MUST',
    area: 'auth',
    title: 'an empty X-Auth-Token is 403 KMS.0301',
    reference: 'spec: securitySchemes.AuthToken "Missing or empty: 403 KMS.0301"',
    run: (c) => expectBothOperations(c, { token: '' }, 403, KMS_CODES.tokenMissing, 'empty token'),
  },
  {
    id: 'CK-AUTH-BLANK-TOKEN',
    level: 'SHOULD',
    area: 'auth',
    title: 'a whitespace-only X-Auth-Token is 403 KMS.0301',
    reference: 'docs/errors.md KMS.0301 "or only whitespace"; spec: securitySchemes.AuthToken',
    run: (c) => expectBothOperations(c, { token: '   ' }, 403, KMS_CODES.tokenMissing, 'blank token'),
  },
  {
    id: 'CK-AUTH-UNKNOWN-TOKEN',
    level: 'MUST',
    area: 'auth',
    title: 'an unknown X-Auth-Token is 403 KMS.0302, and the token is not echoed',
    reference: 'spec: securitySchemes.AuthToken "Unknown: 403 KMS.0302", ErrorResponse.error_msg "Never contains … tokens"',
    async run(c) {
      const token = `ck-unknown-${randomBytes(16).toString('hex')}`;
      for (const attempt of [token, `${c.primary.token}x`]) {
        const response = await c.createKey({ key_alias: c.uniqueAlias('tok') }, { token: attempt });
        expectKmsError(c, response, 403, KMS_CODES.tokenInvalid, 'unknown token');
        ensure(!response.text.includes(attempt), 'the error response echoes the token that was sent');
      }
      await expectBothOperations(c, { token }, 403, KMS_CODES.tokenInvalid, 'unknown token');
    },
  },
  {
    id: 'CK-AUTH-WRONG-PROJECT',
    level: 'MUST',
    area: 'auth',
    needsOtherProject: true,
    title: "a valid token on another project's URL is 403 KMS.0305",
    reference: 'spec: securitySchemes.AuthToken "not allowed on the project in the URL: 403 KMS.0305", ProjectId; kms-facts §1',
    async run(c) {
      const other = c.otherCaller;
      await expectBothOperations(c, { caller: { projectId: other.projectId, token: c.primary.token } }, 403, KMS_CODES.tokenWrongProject, 'first token on the second project');
      await expectBothOperations(c, { caller: { projectId: c.primary.projectId, token: other.token } }, 403, KMS_CODES.tokenWrongProject, 'second token on the first project');
    },
  },
];
