import { randomUUID } from 'node:crypto';
import type { Fault, ProxiedRequest, ProxiedResponse } from '../broken/fault-proxy';

/**
 * Servers that are CORRECT BUT DIFFERENT: each honours every rule of the API documents, and
 * takes, wherever the documents leave a choice open, another choice than OpenKMS. Each is a
 * proxy in front of our reference server that changes requests and answers the way another
 * implementation would behave. The kit must pass them at MUST and SHOULD with zero failures;
 * at level reference each choice must show up as the REFERENCE check named in `choices`, which
 * proves the choice is really taken (a choice no check notices would prove nothing).
 */
export interface DifferentServer {
  readonly name: string;
  /** Each open choice it takes, and the REFERENCE check that tells it apart from OpenKMS. */
  readonly choices: readonly { readonly choice: string; readonly tripsReference: string }[];
  /** Implements decrypt-datakey, encrypt-datakey, describe-key, list-keys and the key lifecycle (else: no such route). */
  readonly implementsExtended: boolean;
  /** Implements schedule-key-deletion (the kit's cleanup). */
  readonly implementsDeletion: boolean;
  readonly fault: Fault;
}

const KEY_ID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
const ALIAS_REF = /^alias\/[a-zA-Z0-9:/_-]{1,255}$/;
const URN_REF = /^kms:([a-zA-Z0-9_-]{1,64}):[a-zA-Z0-9]{1,64}:alias:[a-zA-Z0-9:/_-]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fields of every revision (seeds, spec, newer SDK models): what a server of the newest revision knows. */
const CREATE_KEY_FIELDS = ['key_alias', 'key_description', 'origin', 'enterprise_project_id', 'sequence'];
// key_spec and additional_authenticated_data are honoured, never dropped: ignoring them would give a
// wrong key length or an unbound AAD, which no revision allows (CK-DK-KEY-SPEC, CK-DKD-AAD).
const CREATE_DATAKEY_FIELDS = ['key_id', 'datakey_length', 'key_spec', 'additional_authenticated_data', 'encryption_context', 'sequence'];
const EXTENDED = [
  'decrypt-datakey',
  'encrypt-datakey',
  'describe-key',
  'list-keys',
  'enable-key',
  'disable-key',
  'schedule-key-deletion',
  'cancel-key-deletion',
];
/** Codes of single fields, which a server may well answer with the generic KMS.0308 instead. */
const FIELD_CODES = ['KMS.1101', 'KMS.1103', 'KMS.0206', 'KMS.1901', 'KMS.1903', 'KMS.0205', 'KMS.0208'];

const json = (status: number, body: unknown): ProxiedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const kmsError = (status: number, code: string, msg: string): ProxiedResponse =>
  json(status, { error: { error_code: code, error_msg: msg } });

/** `/v1.0/{project}/kms/{action}` → project and action; undefined for other paths. */
function routeOf(path: string): { project: string; action: string } | undefined {
  const match = /^\/v1\.0\/([^/?]+)\/kms\/([^?]*)$/.exec(path);
  return match ? { project: match[1]!, action: match[2]! } : undefined;
}

type Parsed = { kind: 'none' } | { kind: 'malformed' } | { kind: 'value'; value: unknown };

function parse(request: ProxiedRequest): Parsed {
  if (request.body === undefined || request.body === '') return { kind: 'none' };
  try {
    return { kind: 'value', value: JSON.parse(request.body) as unknown };
  } catch {
    return { kind: 'malformed' };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => Boolean(value) && typeof value === 'object' && !Array.isArray(value);
const isJsonContentType = (request: ProxiedRequest) => /^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');
const withBody = (request: ProxiedRequest, body: Record<string, unknown>): ProxiedRequest => ({ ...request, body: JSON.stringify(body) });
const pick = (body: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(Object.entries(body).filter(([name]) => fields.includes(name)));
const drop = (body: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(Object.entries(body).filter(([name]) => !fields.includes(name)));

function codeOf(response: ProxiedResponse): string | undefined {
  try {
    return (JSON.parse(response.body) as { error?: { error_code?: string } }).error?.error_code;
  } catch {
    return undefined;
  }
}

function recode(response: ProxiedResponse, status: number, code: string): ProxiedResponse {
  const body = JSON.parse(response.body) as { error: { error_code: string; error_msg: string } };
  return { ...response, status, body: JSON.stringify({ error: { ...body.error, error_code: code } }) };
}

/** "512", "0512", " 512", "8.0", "0x20": what `Number()` makes of a string, when it is a whole number. */
function numericReading(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const number = Number(value);
  return Number.isInteger(number) ? String(number) : value;
}

/**
 * "Lenient": the newest revision, and liberal in what it takes. It implements every operation,
 * the key lifecycle (and so the kit's cleanup) included.
 */
function lenientFault(): Fault {
  return async (request, forward) => {
    const route = routeOf(request.path);
    if (!route || request.method !== 'POST') return stripRequestId(await forward(request));
    // 1 MiB bodies: "request message too long" as a 400 (the error-code table's status), before anything else.
    if ((request.body?.length ?? 0) > 64 * 1024) return kmsError(400, 'KMS.0203', 'Request message too long.');
    const parsed = parse(request);
    // The body is read before the token and the content type: any order is the server's business.
    if (parsed.kind === 'malformed' || (parsed.kind === 'value' && !isObject(parsed.value))) {
      return kmsError(400, 'KMS.0202', 'The request body is not a JSON object.');
    }
    if (!isJsonContentType(request)) return kmsError(415, 'KMS.0202', 'Only application/json bodies are read.');
    const body = parsed.kind === 'value' ? (parsed.value as Record<string, unknown>) : {};

    let forwarded = request;
    if (route.action === 'create-key') {
      // Newer-revision fields (key_spec, key_usage, keystore_id) and unknown fields are accepted and ignored.
      const next = pick(body, CREATE_KEY_FIELDS);
      if (typeof next.origin === 'string') next.origin = next.origin.toLowerCase();
      if (next.origin === '') delete next.origin;
      // Any enterprise project is taken as given.
      if (typeof next.enterprise_project_id === 'string') delete next.enterprise_project_id;
      // "36-byte": any 36 characters.
      if (typeof next.sequence === 'string' && next.sequence.length === 36) next.sequence = randomUUID();
      forwarded = withBody(request, next);
    } else if (route.action === 'create-datakey') {
      const next = pick(body, CREATE_DATAKEY_FIELDS);
      next.datakey_length = numericReading(next.datakey_length);
      if (next.datakey_length === undefined) delete next.datakey_length;
      if (next.encryption_context === null) delete next.encryption_context;
      if (typeof next.sequence === 'string' && next.sequence.length === 36) next.sequence = randomUUID();
      forwarded = withBody(request, next);
    } else if (EXTENDED.includes(route.action)) {
      // Unknown fields are ignored; list-keys' key_spec filter too (CK-REF-LIST-KEY-SPEC-OTHER tells).
      forwarded = withBody(request, drop(body, route.action === 'list-keys' ? ['key_spec', 'ck_no_such_field'] : ['ck_no_such_field']));
    }
    let response = stripRequestId(await forward(forwarded));
    const code = codeOf(response);
    if (response.status === 400 && code && FIELD_CODES.includes(code)) response = recode(response, 400, 'KMS.0308');
    if (response.status === 404 && code === 'KMS.0201') response = recode(response, 400, 'KMS.0201');
    if (code === 'KMS.0310') response = recode(response, 400, 'KMS.0308');
    if (code === 'KMS.2203') response = recode(response, 400, 'KMS.2201');
    if (code === 'KMS.2103') response = recode(response, 400, 'KMS.2101');
    if (response.status === 200 && route.action === 'describe-key') {
      // A newer revision describes more of the key.
      const answer = JSON.parse(response.body) as { key_info: Record<string, string> };
      response = { ...response, body: JSON.stringify({ key_info: { ...answer.key_info, keystore_id: '0', partition_type: '1' } }) };
    }
    return response;
  };
}

function stripRequestId(response: ProxiedResponse): ProxiedResponse {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'x-request-id'));
  return { ...response, headers };
}

/**
 * "Seed-only": the two operations of the source documents and nothing else, with its own
 * readings of them: empty or null aliases are missing, a reserved alias is a Default Master
 * Key error, a sequence is a UUID, a malformed key_id is simply not found, and so on.
 */
function seedOnlyFault(region: string): Fault {
  const aliases = new Map<string, Set<string>>();
  return async (request, forward) => {
    const route = routeOf(request.path);
    if (!route) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
    if (!['create-key', 'create-datakey'].includes(route.action)) return kmsError(404, 'KMS.0201', 'No such API.');
    if (request.method !== 'POST') return forward(request);
    const token = request.headers['x-auth-token'];
    if (!token) return forward(request);
    if (!isJsonContentType(request)) return kmsError(400, 'KMS.0308', 'Content-Type must be application/json.');
    const parsed = parse(request);
    if (parsed.kind !== 'value' || !isObject(parsed.value)) return forward(request);
    const body = parsed.value;
    let forwarded = request;
    if (route.action === 'create-key') {
      if (body.key_alias === '' || body.key_alias === null) return kmsError(400, 'KMS.0204', 'key_alias is missing.');
      if (typeof body.key_alias === 'string' && body.key_alias.endsWith('/default')) {
        return kmsError(400, 'KMS.0211', 'Aliases ending in /default belong to Default Master Keys.');
      }
      if (body.enterprise_project_id !== undefined && body.enterprise_project_id !== '0') {
        return kmsError(400, 'KMS.0308', 'No such enterprise project.');
      }
      if (typeof body.sequence === 'string' && body.sequence.length === 36 && !UUID.test(body.sequence)) {
        return kmsError(400, 'KMS.0206', 'sequence must be a UUID.');
      }
      // Aliases are told apart without regard to case.
      const known = aliases.get(route.project) ?? new Set<string>();
      if (typeof body.key_alias === 'string' && known.has(body.key_alias.toLowerCase())) {
        return kmsError(400, 'KMS.1104', 'The alias already exists.');
      }
      forwarded = withBody(request, pick(body, CREATE_KEY_FIELDS));
      const response = await forward(forwarded);
      if (response.status === 200 && typeof body.key_alias === 'string')
        aliases.set(route.project, known.add(body.key_alias.toLowerCase()));
      return response;
    }
    const keyId = body.key_id;
    if (typeof keyId === 'string' && keyId !== '' && !KEY_ID.test(keyId) && !ALIAS_REF.test(keyId) && !URN_REF.test(keyId)) {
      return kmsError(404, 'KMS.0207', 'The key does not exist.');
    }
    const urn = typeof keyId === 'string' ? URN_REF.exec(keyId) : null;
    if (urn && urn[1] !== region) return kmsError(400, 'KMS.0205', 'The URN names another region.');
    forwarded = withBody(request, pick(body, CREATE_DATAKEY_FIELDS));
    const response = await forward(forwarded);
    if (response.status === 403 && codeOf(response) === 'KMS.0305') return recode(response, 403, 'KMS.0306');
    return response;
  };
}

export function differentServers(region: string): readonly DifferentServer[] {
  return [
    {
      name: 'lenient-newest-revision',
      implementsExtended: true,
      implementsDeletion: true,
      choices: [
        { choice: 'accepts unknown fields and newer-revision fields (key_spec, key_usage, …)', tripsReference: 'CK-KEY-UNKNOWN-FIELD' },
        { choice: 'the same on create-datakey', tripsReference: 'CK-DK-UNKNOWN-FIELD' },
        { choice: 'KMS.0308 for every parameter error (wrong JSON type included)', tripsReference: 'CK-REF-ALIAS-TYPE' },
        { choice: 'KMS.0308 for a bad description', tripsReference: 'CK-REF-DESC-TYPE' },
        { choice: 'KMS.0202 for a JSON body that is not an object', tripsReference: 'CK-REF-KEY-BODY-NOT-OBJECT' },
        { choice: '415 with KMS.0202', tripsReference: 'CK-REF-ERR-CONTENT-TYPE' },
        { choice: 'reads datakey_length as a number ("0512" is 512)', tripsReference: 'CK-REF-DK-LEN-RANGE' },
        { choice: 'reads " 512", "8.0", "0x20" as numbers', tripsReference: 'CK-REF-DK-LEN-NOT-DECIMAL' },
        { choice: 'any 36 characters are a sequence (a space included)', tripsReference: 'CK-REF-SEQ-LEN-37' },
        { choice: 'origin case-insensitive, "" as the default', tripsReference: 'CK-REF-ORIGIN-BOGUS' },
        { choice: 'takes any enterprise_project_id', tripsReference: 'CK-EPID-INVALID' },
        { choice: "ignores list-keys' key_spec filter (lists every key)", tripsReference: 'CK-REF-LIST-KEY-SPEC-OTHER' },
        { choice: 'a null encryption_context is no context', tripsReference: 'CK-REF-DK-CONTEXT-TYPES' },
        { choice: '400 KMS.0203 for a body too large', tripsReference: 'CK-REF-ERR-BODY-TOO-LARGE' },
        { choice: '400 KMS.0201 for an unknown route', tripsReference: 'CK-REF-ERR-UNKNOWN-ROUTE' },
        { choice: 'no X-Request-Id header', tripsReference: 'CK-ERR-REQUEST-ID' },
        { choice: 'the body is read before the token', tripsReference: 'CK-ERR-ORDER-TOKEN-FIRST' },
        { choice: 'JSON syntax before the content type', tripsReference: 'CK-ERR-ORDER-CONTENT-TYPE' },
        { choice: 'KMS.0308 for a key without material', tripsReference: 'CK-REF-SEM-EXTERNAL-NO-DATAKEY' },
        { choice: 'KMS.2201 for a context that does not match', tripsReference: 'CK-REF-DKD-CONTEXT' },
        { choice: 'KMS.2101 for a wrong DEK digest', tripsReference: 'CK-REF-EDK-ROUND-TRIP' },
        { choice: 'KMS.0308 for a key_id of no valid form', tripsReference: 'CK-REF-DK-KEY-ID-INVALID' },
        { choice: 'describe-key answers newer-revision fields (keystore_id, partition_type)', tripsReference: 'CK-REF-DESCRIBE-KEY' },
      ],
      fault: lenientFault(),
    },
    {
      name: 'seed-only',
      implementsExtended: false,
      implementsDeletion: false,
      choices: [
        { choice: 'an empty or null key_alias is a missing parameter (KMS.0204)', tripsReference: 'CK-REF-ALIAS-LEN-0' },
        { choice: 'an alias ending in /default is KMS.0211', tripsReference: 'CK-REF-ALIAS-DEFAULT-SUFFIX' },
        { choice: 'only the default enterprise project "0" exists', tripsReference: 'CK-REF-EPID-VALID' },
        { choice: 'a sequence is a UUID', tripsReference: 'CK-REF-SEQ-LEN-36' },
        { choice: 'aliases differing only in case are the same alias', tripsReference: 'CK-SEM-ALIAS-CASE' },
        { choice: 'a key_id of no valid form is looked up: 404 KMS.0207', tripsReference: 'CK-REF-DK-KEY-ID-INVALID' },
        { choice: 'a URN of another region is an invalid key ID (400 KMS.0205)', tripsReference: 'CK-REF-SEM-URN-FOREIGN' },
        { choice: 'a token on another project is "no access" (KMS.0306)', tripsReference: 'CK-REF-AUTH-WRONG-PROJECT' },
        { choice: 'a body not sent as JSON is 400 KMS.0308', tripsReference: 'CK-REF-ERR-CONTENT-TYPE' },
        { choice: 'paths outside the API get a plain 404', tripsReference: 'CK-REF-ERR-UNKNOWN-ROUTE' },
      ],
      fault: seedOnlyFault(region),
    },
  ];
}
