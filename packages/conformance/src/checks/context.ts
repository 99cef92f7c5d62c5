import { randomBytes } from 'node:crypto';
import type { RequestSigner } from '@openkms/client';
import { ExchangeLog } from '../http/exchange-log';
import { signedRequest } from '../http/signed-request';
import type { HttpRequest, HttpResponse } from '../http/kms-http';
import type { OperationId, ResponseValidator } from '../spec/response-validator';
import type { SpecFacts } from '../spec/spec-facts';
import { CheckFailure, NotImplemented } from './check';

/** A project and the credentials allowed on it: a token, an access key, or both. */
export interface Caller {
  readonly projectId: string;
  /** The X-Auth-Token; absent when the caller has only an access key. */
  readonly token?: string;
  /** Signs every request with the caller's access key; when present it is used instead of the token. */
  readonly signer?: RequestSigner;
}

export interface PostOptions {
  readonly caller?: Caller;
  /**
   * The X-Auth-Token to send instead of the caller's credentials (the request is then not signed);
   * null sends no credential at all.
   */
  readonly token?: string | null;
  /** Content-Type to send instead of application/json; null sends none. */
  readonly contentType?: string | null;
  /** Body text sent as is, instead of JSON.stringify(body). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Path segment after /kms/ (default: the operation's). */
  readonly action?: string;
  /** Values of the operation's path parameters after /kms/ (`{key_id}`, `{key}`), percent-encoded when sent. */
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly method?: string;
}

export interface CreatedKey {
  readonly keyId: string;
  readonly domainId: string;
  readonly alias: string;
}

/** Version discovery, the operations outside `/v1.0/{project_id}/kms/` (sent with getRoot). */
export type VersionOperation = 'listVersions' | 'showVersion';
/** The operations under `/v1.0/{project_id}/kms/`, sent with post and get. */
export type KmsOperation = Exclude<OperationId, VersionOperation>;

const ACTIONS: Record<KmsOperation, string> = {
  createKey: 'create-key',
  createDatakey: 'create-datakey',
  encryptDatakey: 'encrypt-datakey',
  decryptDatakey: 'decrypt-datakey',
  describeKey: 'describe-key',
  listKeys: 'list-keys',
  enableKey: 'enable-key',
  disableKey: 'disable-key',
  scheduleKeyDeletion: 'schedule-key-deletion',
  cancelKeyDeletion: 'cancel-key-deletion',
  createDatakeyWithoutPlaintext: 'create-datakey-without-plaintext',
  genRandom: 'gen-random',
  updateKeyAlias: 'update-key-alias',
  updateKeyDescription: 'update-key-description',
  encryptData: 'encrypt-data',
  decryptData: 'decrypt-data',
  showUserQuotas: 'user-quotas',
  showUserInstances: 'user-instances',
  // Tag management: paths with parameters, filled from PostOptions.pathParams.
  showKmsTags: '{key_id}/tags',
  createKmsTag: '{key_id}/tags',
  deleteTag: '{key_id}/tags/{key}',
  batchCreateKmsTags: '{key_id}/tags/action',
  listKmsTags: 'tags',
  listKmsByTags: 'resource_instances/action',
  enableKeyRotation: 'enable-key-rotation',
  disableKeyRotation: 'disable-key-rotation',
  updateKeyRotationInterval: 'update-key-rotation-interval',
  showKeyRotationStatus: 'get-key-rotation-status',
  rotateOnDemand: 'rotate-on-demand',
};

/** The operations the API defines as GET or DELETE (no body); every other one is a POST. */
const GET_OPERATIONS: readonly KmsOperation[] = ['showUserQuotas', 'showUserInstances', 'showKmsTags', 'listKmsTags'];
const DELETE_OPERATIONS: readonly KmsOperation[] = ['deleteTag'];
const methodOf = (operation: KmsOperation): string =>
  GET_OPERATIONS.includes(operation) ? 'GET' : DELETE_OPERATIONS.includes(operation) ? 'DELETE' : 'POST';

/** The operation's path after /kms/ with its parameters filled in (a missing one stays a literal `{name}`). */
function actionPath(operation: KmsOperation, pathParams: Readonly<Record<string, string>> = {}): string {
  return ACTIONS[operation].replace(/\{([a-z_]+)\}/g, (whole, name: string) =>
    pathParams[name] === undefined ? whole : encodeURIComponent(pathParams[name]),
  );
}

/** The operations of the source documents: always required, never NOT IMPLEMENTED. */
const REQUIRED_OPERATIONS: readonly OperationId[] = ['createKey', 'createDatakey'];

/** A "no such route" answer: 405, or 404 / 400 KMS.0201, or a 404 without a KMS error body. */
export function isNoSuchRoute(response: HttpResponse): boolean {
  const code = (response.json as { error?: { error_code?: unknown } } | undefined)?.error?.error_code;
  if (response.status === 405) return true;
  if (code === 'KMS.0201') return response.status === 404 || response.status === 400;
  return response.status === 404 && typeof code !== 'string';
}

/** The keys one run created, shared by all its checks, for the cleanup and the key count. */
export class CreatedKeys {
  readonly #byProject = new Map<string, { caller: Caller; keyIds: string[] }>();

  add(caller: Caller, keyId: string): void {
    const entry = this.#byProject.get(caller.projectId) ?? { caller, keyIds: [] };
    entry.keyIds.push(keyId);
    this.#byProject.set(caller.projectId, entry);
  }

  get count(): number {
    return [...this.#byProject.values()].reduce((sum, e) => sum + e.keyIds.length, 0);
  }

  entries(): { caller: Caller; keyId: string }[] {
    return [...this.#byProject.values()].flatMap((e) => e.keyIds.map((keyId) => ({ caller: e.caller, keyId })));
  }
}

export interface ContextOptions {
  readonly baseUrl: string;
  readonly primary: Caller;
  readonly other: Caller | undefined;
  readonly region: string;
  readonly seed: number;
  readonly requestTimeoutMs: number;
  /** Judges responses: the lenient validator for MUST/SHOULD checks, the strict one for REFERENCE. */
  readonly validator: ResponseValidator;
  readonly facts: SpecFacts;
  /** REFERENCE checks: exact codes and OpenKMS-only cases (see `expectRejected`). */
  readonly strict: boolean;
  /** Where every created key is recorded. */
  readonly createdKeys: CreatedKeys;
  /** Short random tag shared by every alias of this run, so runs never collide with each other or with existing data. */
  readonly runTag: string;
}

/**
 * What a check can do: send requests (every response is judged against the spec before the
 * check sees it), make keys with unique aliases, and describe responses without secrets.
 */
export class CheckContext {
  /** The check's requests and answers, redacted, for the reports. */
  readonly exchanges = new ExchangeLog({ mask: (text) => this.mask(text), sensitiveFields: () => this.#sensitive });
  readonly primary: Caller;
  readonly other: Caller | undefined;
  readonly region: string;
  readonly seed: number;
  readonly facts: SpecFacts;
  /** Held to OpenKMS's own choices (a REFERENCE check), not only to what the documents require. */
  readonly strict: boolean;
  readonly #options: ContextOptions;
  readonly #sensitive: string[];
  #requests = 0;
  #keys = 0;

  constructor(options: ContextOptions) {
    this.#options = options;
    this.primary = options.primary;
    this.other = options.other;
    this.region = options.region;
    this.seed = options.seed;
    this.facts = options.facts;
    this.strict = options.strict;
    this.#sensitive = options.validator.sensitiveFields();
  }

  get requestCount(): number {
    return this.#requests;
  }

  /** Keys this check created (every 200 of create-key). */
  get keyCount(): number {
    return this.#keys;
  }

  /** The second caller; only checks marked needsOtherProject may ask (the runner skips them otherwise). */
  get otherCaller(): Caller {
    if (!this.other) throw new Error('this check needs --other-project-id and --other-token (or --other-ak and --other-sk)');
    return this.other;
  }

  /** An alias no other run or check uses: `ck-<run>-<label>-<random>`. */
  uniqueAlias(label: string): string {
    return `ck-${this.#options.runTag}-${label}-${randomBytes(4).toString('hex')}`;
  }

  /** POSTs a JSON body (or what the options say) to an operation and judges the response against the spec. */
  async post(operation: KmsOperation, body: unknown, options: PostOptions = {}): Promise<HttpResponse> {
    const caller = options.caller ?? this.primary;
    const headers: Record<string, string> = { ...options.headers };
    // A check that names a token tests X-Auth-Token itself: that request is never signed.
    const sign = options.token === undefined && caller.signer !== undefined;
    const token = options.token === undefined ? (sign ? undefined : caller.token) : options.token;
    if (token !== null && token !== undefined) headers['X-Auth-Token'] = token;
    const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
    if (contentType !== null) headers['Content-Type'] = contentType;
    const unsigned: HttpRequest = {
      method: options.method ?? methodOf(operation),
      path: `/v1.0/${encodeURIComponent(caller.projectId)}/kms/${options.action ?? actionPath(operation, options.pathParams)}`,
      headers,
      body: options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    };
    const request = sign ? await signedRequest(this.#options.baseUrl, unsigned, caller.projectId, caller.signer) : unsigned;
    const matchesOperation =
      (options.method ?? methodOf(operation)) === methodOf(operation) &&
      (options.action === undefined || options.action === ACTIONS[operation]);
    const response = await this.send(request, matchesOperation ? operation : undefined);
    if (matchesOperation && operation === 'createKey' && response.status === 200) {
      const keyId = (response.json as { key_info?: { key_id?: unknown } } | undefined)?.key_info?.key_id;
      if (typeof keyId === 'string') {
        this.#keys += 1;
        this.#options.createdKeys.add(caller, keyId);
      }
    }
    return response;
  }

  /** GETs a bodyless operation (user-quotas, user-instances, tags), judged against the spec like post(). */
  get(operation: KmsOperation, options: PostOptions = {}): Promise<HttpResponse> {
    return this.post(operation, undefined, { contentType: null, ...options });
  }

  /** DELETE of a bodyless operation (delete a tag), judged against the spec like post(). */
  delete(operation: KmsOperation, options: PostOptions = {}): Promise<HttpResponse> {
    return this.post(operation, undefined, { contentType: null, ...options });
  }

  /**
   * GETs a path outside the project's operations (version discovery: `/`, `/v1.0`), with the
   * primary caller's credential (signed when it has an access key) or, with `credential: false`,
   * none; judged against the spec like post().
   */
  async getRoot(path: string, operation: VersionOperation | undefined, options: { credential?: boolean } = {}): Promise<HttpResponse> {
    const caller = this.primary;
    const bare: HttpRequest = { method: 'GET', path, headers: {} };
    if (options.credential === false) return this.send(bare, operation);
    if (caller.signer) return this.send(await signedRequest(this.#options.baseUrl, bare, caller.projectId, caller.signer), operation);
    return this.send({ ...bare, headers: caller.token === undefined ? {} : { 'X-Auth-Token': caller.token } }, operation);
  }

  createKey(body: unknown, options?: PostOptions): Promise<HttpResponse> {
    return this.post('createKey', body, options);
  }

  createDatakey(body: unknown, options?: PostOptions): Promise<HttpResponse> {
    return this.post('createDatakey', body, options);
  }

  /** Sends any request; `operation` is the spec operation it targets, or undefined for none (unknown route, wrong method). */
  async send(request: HttpRequest, operation: OperationId | undefined): Promise<HttpResponse> {
    this.#requests += 1;
    let response: HttpResponse;
    try {
      response = await this.exchanges.send(this.#options.baseUrl, request, this.#options.requestTimeoutMs);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CheckFailure(
        `${request.method} ${request.path}: no response (${(error as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''})`,
      );
    }
    // An optional operation the server does not have: the check is NOT IMPLEMENTED, not failed.
    if (operation && !REQUIRED_OPERATIONS.includes(operation) && isNoSuchRoute(response)) {
      throw new NotImplemented(`${request.method} ${request.path}: no such route (${response.status})`);
    }
    const problems = this.#options.validator.validate(operation, response.status, response.contentType, response.text);
    if (problems.length > 0) {
      throw new CheckFailure(
        `${request.method} ${request.path}: the response breaks the spec: ${problems.join('; ')} — got ${this.describe(response)}`,
      );
    }
    return response;
  }

  /** Creates a key (status 200 required) and returns its identifiers. */
  async newKey(
    label: string,
    extra: Record<string, unknown> = {},
    caller: Caller = this.primary,
    alias = this.uniqueAlias(label),
  ): Promise<CreatedKey> {
    const response = await this.createKey({ key_alias: alias, ...extra }, { caller });
    if (response.status !== 200) throw new CheckFailure(`creating key ${alias}: expected 200, got ${this.describe(response)}`);
    const info = (response.json as { key_info: { key_id: string; domain_id: string } }).key_info;
    return { keyId: info.key_id, domainId: info.domain_id, alias };
  }

  /** `status body` for messages, with sensitive fields and tokens masked and long bodies cut. */
  describe(response: HttpResponse): string {
    const body = response.json === undefined ? JSON.stringify(response.text) : JSON.stringify(this.#redact(response.json));
    return `${response.status} ${this.mask(body.length > 400 ? `${body.slice(0, 400)}…` : body)}`;
  }

  /** Replaces both tokens wherever they appear. */
  mask(text: string): string {
    let masked = text;
    for (const caller of [this.primary, this.other]) {
      if (caller?.token) masked = masked.split(caller.token).join('***');
    }
    return masked;
  }

  #redact(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#redact(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) =>
          this.#sensitive.includes(key)
            ? [key, `<redacted, ${typeof inner === 'string' ? inner.length : '?'} chars>`]
            : [key, this.#redact(inner)],
        ),
      );
    }
    return value;
  }
}
