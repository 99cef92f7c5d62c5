import { randomBytes } from 'node:crypto';
import { answer, ensure, expectRejected } from './assertions';
import { errorTable, seed, SEED, type Check } from './check';
import type { CheckContext, PostOptions } from './context';
import { DOCUMENTED } from './documented-answers';
import { KMS_CODES } from '../spec/spec-facts';

/** Sends one valid-looking request per operation with these options; auth is checked before the body matters. */
async function expectBothOperations(
  c: CheckContext,
  options: PostOptions,
  accepted: readonly string[],
  strict: string,
  what: string,
): Promise<void> {
  expectRejected(c, await c.createKey({ key_alias: c.uniqueAlias('auth') }, options), accepted, strict, `create-key, ${what}`);
  expectRejected(
    c,
    await c.createDatakey({ key_id: 'alias/none', datakey_length: '512' }, options),
    accepted,
    strict,
    `create-datakey, ${what}`,
  );
}

const TOKEN_HEADER = seed(
  `${SEED.createKeyCn}, 请求Header参数: X-Auth-Token (mandatory); status codes: 403 认证失败 (authentication failed)`,
);

export const authChecks: readonly Check[] = [
  {
    id: 'CK-AUTH-MISSING-TOKEN',
    level: 'MUST',
    area: 'auth',
    needsToken: true,
    title: 'no X-Auth-Token is 403 KMS.0301 (never 401)',
    authority: [TOKEN_HEADER, errorTable('403 KMS.0301 X-Auth-Token missing or empty')],
    acceptedCodes: DOCUMENTED.tokenMissing,
    reference: 'spec: securitySchemes.AuthToken, Forbidden (KMS.0301), info "KMS\'s own authentication failures (token; …) are `403`"',
    keys: 0,
    run: (c) => expectBothOperations(c, { token: null }, DOCUMENTED.tokenMissing, answer(403, KMS_CODES.tokenMissing), 'no token'),
  },
  {
    id: 'CK-AUTH-EMPTY-TOKEN',
    level: 'MUST',
    area: 'auth',
    needsToken: true,
    title: 'an empty X-Auth-Token is 403 KMS.0301',
    authority: [TOKEN_HEADER, errorTable('403 KMS.0301 X-Auth-Token missing or empty')],
    acceptedCodes: DOCUMENTED.tokenMissing,
    reference: 'spec: securitySchemes.AuthToken "Missing or empty: 403 KMS.0301"',
    keys: 0,
    run: (c) => expectBothOperations(c, { token: '' }, DOCUMENTED.tokenMissing, answer(403, KMS_CODES.tokenMissing), 'empty token'),
  },
  {
    id: 'CK-AUTH-BLANK-TOKEN',
    level: 'SHOULD',
    area: 'auth',
    needsToken: true,
    title: 'a whitespace-only X-Auth-Token is 403 (KMS.0301 empty, or KMS.0302 invalid)',
    authority: [TOKEN_HEADER, errorTable('403 KMS.0301 missing or empty, 403 KMS.0302 invalid')],
    acceptedCodes: DOCUMENTED.tokenBlank,
    reference: 'docs/errors.md KMS.0301 "or only whitespace"; spec: securitySchemes.AuthToken',
    keys: 0,
    run: (c) => expectBothOperations(c, { token: '   ' }, DOCUMENTED.tokenBlank, answer(403, KMS_CODES.tokenMissing), 'blank token'),
    referenceTwin: { id: 'CK-REF-AUTH-BLANK-TOKEN', acceptedCodes: ['403 KMS.0301'] },
  },
  {
    id: 'CK-AUTH-UNKNOWN-TOKEN',
    level: 'MUST',
    area: 'auth',
    needsToken: true,
    title: 'an unknown X-Auth-Token is 403 KMS.0302',
    authority: [TOKEN_HEADER, errorTable('403 KMS.0302 X-Auth-Token invalid')],
    acceptedCodes: DOCUMENTED.tokenInvalid,
    reference: 'spec: securitySchemes.AuthToken "Unknown: 403 KMS.0302", ErrorResponse.error_msg "Never contains … tokens"',
    keys: 0,
    async run(c) {
      const token = `ck-unknown-${randomBytes(16).toString('hex')}`;
      const strict = answer(403, KMS_CODES.tokenInvalid);
      for (const attempt of [token, `${c.primary.token}x`]) {
        const response = await c.createKey({ key_alias: c.uniqueAlias('tok') }, { token: attempt });
        expectRejected(c, response, DOCUMENTED.tokenInvalid, strict, 'unknown token');
        // The documents do not say it; OpenKMS never echoes a token (ErrorResponse.error_msg).
        if (c.strict) ensure(!response.text.includes(attempt), 'the error response echoes the token that was sent');
      }
      await expectBothOperations(c, { token }, DOCUMENTED.tokenInvalid, strict, 'unknown token');
    },
    referenceTwin: { id: 'CK-REF-AUTH-UNKNOWN-TOKEN', acceptedCodes: ['403 KMS.0302'] },
  },
  {
    id: 'CK-AUTH-WRONG-PROJECT',
    level: 'MUST',
    area: 'auth',
    needsToken: true,
    needsOtherProject: true,
    title: "a valid token on another project's URL is refused with a 403",
    authority: [
      seed(`${SEED.createKey}, URI parameters: project_id`),
      TOKEN_HEADER,
      errorTable("403 KMS.0305 / KMS.0321 the token's project does not match, 403 KMS.0306 / KMS.0307 no access permission"),
    ],
    acceptedCodes: DOCUMENTED.tokenWrongProject,
    reference: 'spec: securitySchemes.AuthToken "not allowed on the project in the URL: 403 KMS.0305", ProjectId',
    keys: 0,
    async run(c) {
      const other = c.otherCaller;
      const strict = answer(403, KMS_CODES.tokenWrongProject);
      await expectBothOperations(
        c,
        { caller: { projectId: other.projectId, token: c.primary.token } },
        DOCUMENTED.tokenWrongProject,
        strict,
        'first token on the second project',
      );
      await expectBothOperations(
        c,
        { caller: { projectId: c.primary.projectId, token: other.token } },
        DOCUMENTED.tokenWrongProject,
        strict,
        'second token on the first project',
      );
    },
    referenceTwin: { id: 'CK-REF-AUTH-WRONG-PROJECT', acceptedCodes: ['403 KMS.0305'] },
  },
];
