import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { KmsError, type Scope } from '@openkms/core';

/**
 * One entry of the token file. Only the SHA-256 of a token is stored, so the file
 * itself does not hand out working tokens.
 */
export interface TokenGrant {
  /** A label for logs; never the token. */
  readonly name: string;
  readonly tokenSha256: string;
  readonly domainId: string;
  readonly projects: readonly string[];
}

interface TokenFileEntry {
  name: string;
  token_sha256: string;
  domain_id: string;
  projects: string[];
}

const DOMAIN_ID = /^[0-9a-f]{32}$/;
const PROJECT_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Answers "who is this token, and may it use this project?". Every lookup compares the
 * presented token's hash against every grant in constant time, so neither a match's
 * position nor a partial match shows in timing.
 */
export class TokenRegistry {
  #grants: readonly { grant: TokenGrant; digest: Buffer }[];

  constructor(grants: readonly TokenGrant[]) {
    this.#grants = checkedGrants(grants);
  }

  /**
   * Serves `grants` from now on, in place of the ones held (SIGHUP reloads the token file): a
   * removed token is refused from the next request on. Throws, keeping the grants held, when
   * one is invalid.
   */
  replace(grants: readonly TokenGrant[]): void {
    this.#grants = checkedGrants(grants);
  }

  /** How many grants are held (for logs: never which). */
  get size(): number {
    return this.#grants.length;
  }

  /** The caller's scope for `projectId`, or the KMS error: 0301 missing, 0302 unknown, 0305 wrong project. */
  authorize(token: string | undefined, projectId: string): { scope: Scope; grantName: string } {
    if (token === undefined || token.trim() === '') throw new KmsError('KMS.0301');
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let found: TokenGrant | undefined;
    for (const { grant, digest } of this.#grants) {
      // No early exit: every grant is compared.
      if (timingSafeEqual(presented, digest) && !found) found = grant;
    }
    if (!found) throw new KmsError('KMS.0302');
    if (!found.projects.includes(projectId)) throw new KmsError('KMS.0305');
    return { scope: { domainId: found.domainId, projectId }, grantName: found.name };
  }
}

function checkedGrants(grants: readonly TokenGrant[]): { grant: TokenGrant; digest: Buffer }[] {
  return grants.map((grant) => {
    if (!SHA256_HEX.test(grant.tokenSha256)) throw new Error(`token "${grant.name}": token_sha256 must be 64 lower-case hex characters`);
    if (!DOMAIN_ID.test(grant.domainId)) throw new Error(`token "${grant.name}": domain_id must be 32 lower-case hex characters`);
    if (grant.projects.length === 0 || !grant.projects.every((p) => PROJECT_ID.test(p))) {
      throw new Error(`token "${grant.name}": projects must be a non-empty list of project IDs matching ${PROJECT_ID.source}`);
    }
    return { grant, digest: Buffer.from(grant.tokenSha256, 'hex') };
  });
}

/** Reads a token file: `{"tokens":[{"name","token_sha256","domain_id","projects":[...]}]}`. */
export function readTokenFile(path: string): TokenGrant[] {
  let parsed: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file's text.
    throw new Error(`token file ${path} is not valid JSON`);
  }
  const entries = (parsed as { tokens?: unknown }).tokens;
  if (!Array.isArray(entries)) throw new Error(`token file ${path}: expected {"tokens": [...]}`);
  return entries.map((entry: Partial<TokenFileEntry>, index) => {
    if (typeof entry !== 'object' || entry === null) throw new Error(`token file ${path}: entry ${index} is not an object`);
    return {
      name: typeof entry.name === 'string' ? entry.name : `#${index}`,
      tokenSha256: String(entry.token_sha256 ?? ''),
      domainId: String(entry.domain_id ?? ''),
      projects: Array.isArray(entry.projects) ? entry.projects.map(String) : [],
    };
  });
}

export interface DevelopmentToken {
  readonly token: string;
  readonly domainId: string;
  readonly projectId: string;
}

/**
 * Creates a token file holding one development token, unless the file exists.
 * Returns the new token (shown once to the operator) or undefined when the file existed.
 */
export function createTokenFileIfAbsent(path: string): DevelopmentToken | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  const dev: DevelopmentToken = {
    token: `okms_${randomBytes(32).toString('base64url')}`,
    domainId: randomBytes(16).toString('hex'),
    projectId: randomBytes(16).toString('hex'),
  };
  const file: { tokens: TokenFileEntry[] } = {
    tokens: [{ name: 'development', token_sha256: sha256Hex(dev.token), domain_id: dev.domainId, projects: [dev.projectId] }],
  };
  try {
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  return dev;
}
