import { randomInt } from 'node:crypto';

/**
 * An access key as stored: its ID (AK), the SK wrapped under the root key (never plain at
 * rest), the domain and projects it may use, a name for people and logs, and its life.
 */
export interface AccessKeyRecord {
  /** The access key ID (AK): 20 upper-case letters and digits, as Huawei Cloud's. */
  readonly accessKeyId: string;
  /** A label for logs and audit (never the secret). */
  readonly name: string;
  readonly domainId: string;
  /** The projects it may use (at least one). */
  readonly projects: readonly string[];
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; null while the key is live. */
  readonly revokedAt: number | null;
  /** The SK, wrapped under the root key (format 1: names the root key, bound to the domain and AK). */
  readonly wrappedSecret: Buffer;
}

/** What a listing shows of an access key: everything but the secret, even wrapped. */
export type AccessKeySummary = Omit<AccessKeyRecord, 'wrappedSecret'>;

/** Huawei Cloud's AKs are 20 upper-case letters and digits (e.g. the IAM API's `credential.access`). */
export const ACCESS_KEY_ID_PATTERN = /^[A-Z0-9]{20}$/;
/** Huawei Cloud's SKs are 40 letters and digits. */
export const SECRET_KEY_PATTERN = /^[A-Za-z0-9]{40}$/;
/** A credential's name: what operators type and logs show. */
export const CREDENTIAL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** A domain (account) ID: 32 lower-case hex characters. */
export const DOMAIN_ID_PATTERN = /^[0-9a-f]{32}$/;
/** A project ID as the API's path accepts it. */
export const PROJECT_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const UPPER_AND_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LETTERS_AND_DIGITS = `${UPPER_AND_DIGITS}abcdefghijklmnopqrstuvwxyz`;

/** Characters drawn uniformly from the OS CSPRNG (randomInt has no modulo bias). */
function randomText(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)];
  return text;
}

/** A fresh AK: 20 of 36 characters, about 103 bits. */
export function generateAccessKeyId(): string {
  return randomText(UPPER_AND_DIGITS, 20);
}

/** A fresh SK: 40 of 62 characters, about 238 bits. */
export function generateSecretKey(): string {
  return randomText(LETTERS_AND_DIGITS, 40);
}

/** The fields of a new access key, checked; throws an Error that names the bad field (never a secret). */
export function checkAccessKeyFields(fields: { name: string; domainId: string; projects: readonly string[] }): void {
  if (!CREDENTIAL_NAME_PATTERN.test(fields.name)) {
    throw new Error(`the name must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
  }
  if (!DOMAIN_ID_PATTERN.test(fields.domainId)) throw new Error('the domain ID must be 32 lower-case hex characters');
  if (fields.projects.length === 0) throw new Error('an access key needs at least one project');
  const bad = fields.projects.find((project) => !PROJECT_ID_PATTERN.test(project));
  if (bad !== undefined) throw new Error(`project ID ${JSON.stringify(bad)} does not match ${PROJECT_ID_PATTERN.source}`);
}
