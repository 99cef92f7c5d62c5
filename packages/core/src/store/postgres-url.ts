/**
 * PostgreSQL connection URLs carry a password; everything that shows one to a person (logs,
 * error messages) goes through here first.
 */

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
/** `scheme://user:password@` anywhere in a text; the password part is what gets masked. */
const CREDENTIALS_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s@/]*@/gi;

export type PostgresUrl = `postgres://${string}` | `postgresql://${string}`;

export function isPostgresUrl(text: string): text is PostgresUrl {
  return POSTGRES_URL.test(text);
}

/**
 * The URL with its password (in the user-info or a `password` query parameter) replaced by
 * `***`. A URL that does not parse is not shown at all, since where its password sits is unknown.
 */
export function maskPostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable PostgreSQL URL>';
  }
  if (parsed.password !== '') parsed.password = '***';
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  return parsed.toString();
}

/** Masks the password of every `scheme://user:password@` in free text (for example an error message). */
export function maskUrlPasswordsInText(text: string): string {
  return text.replace(CREDENTIALS_IN_TEXT, '$1:***@');
}
