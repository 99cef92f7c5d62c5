import { Configuration, DataKeysApi, KeysApi, VersionsApi, type OperationId, type ShowVersionVersionIdEnum } from './generated';
import type {
  BatchCreateKmsTagsRequest,
  CreateKmsTagRequest,
  ListKmsByTagsRequest,
  ListKmsByTagsResponse,
  ListKmsTagsResponse,
  ShowKmsTagsResponse,
  CreateDatakeyRequest,
  CreateDatakeyResponse,
  CreateDatakeyWithoutPlaintextResponse,
  CreateKeyRequest,
  CreateKeyResponse,
  DecryptDataRequest,
  DecryptDataResponse,
  DecryptDatakeyRequest,
  DecryptDatakeyResponse,
  DescribeKeyRequest,
  DescribeKeyResponse,
  EncryptDataRequest,
  EncryptDataResponse,
  EncryptDatakeyRequest,
  EncryptDatakeyResponse,
  KeyStateResponse,
  KeyStatusInfoResponse,
  ListKeysRequest,
  ListKeysResponse,
  OperateKeyRequest,
  ScheduleKeyDeletionRequest,
  GenRandomRequest,
  GenRandomResponse,
  ListVersionsResponse,
  ShowVersionResponse,
  UpdateKeyAliasRequest,
  UserInstancesResponse,
  UserQuotasResponse,
  UpdateKeyAliasResponse,
  UpdateKeyDescriptionRequest,
  UpdateKeyDescriptionResponse,
  KeyRotationStatusResponse,
  RotateOnDemandResponse,
  UpdateKeyRotationIntervalRequest,
} from './generated';
import { KmsError } from './kms-error';
import { backoffDelayMs, RETRYABLE_STATUSES, retryPolicy, type RetryOptions, type RetryPolicy } from './retry';
import { createRequestSigner } from './sign-request';

interface KmsClientCommonOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:8080` (no `/v1.0`). */
  readonly endpoint: string;
  /** The project every call addresses (`{project_id}` in the paths, and `X-Project-Id` when signing). */
  readonly projectId: string;
  /** Retries of 429/500/502/503/504; `false` for none. */
  readonly retry?: RetryOptions | false;
  /** Default deadline of one call, all tries and waits included. None by default. */
  readonly timeoutMs?: number;
  /** A fetch implementation; Node's global fetch by default. */
  readonly fetch?: typeof fetch;
}

/** Authenticates with an `X-Auth-Token`. */
export interface KmsClientTokenOptions extends KmsClientCommonOptions {
  /** The `X-Auth-Token`, or a function returning the current one (called before every try). */
  readonly token: string | (() => string | Promise<string>);
  readonly accessKey?: never;
  readonly secretKey?: never;
}

/**
 * Signs every request with an access key (SDK-HMAC-SHA256, as Huawei Cloud's official SDKs do),
 * so the same client works against OpenKMS and the cloud service. The SK is never sent, logged
 * or put in an error.
 */
export interface KmsClientAccessKeyOptions extends KmsClientCommonOptions {
  /** The access key ID (AK). */
  readonly accessKey: string;
  /** The secret access key (SK). */
  readonly secretKey: string;
  readonly token?: never;
}

export type KmsClientOptions = KmsClientTokenOptions | KmsClientAccessKeyOptions;

export interface CallOptions {
  /** Cancels the call (and any wait between tries). */
  readonly signal?: AbortSignal;
  /** Deadline of this call, all tries included; overrides the client's `timeoutMs`. */
  readonly timeoutMs?: number;
}

/** The body of a generated API method's parameters: everything but the path's `projectId`. */
type BodyOf<Parameters> = Parameters extends { projectId: string } ? Parameters[Exclude<keyof Parameters, 'projectId'>] : never;
type GeneratedMethod<Id extends OperationId> = (KeysApi & DataKeysApi & VersionsApi)[Id];
type Answer<Id extends OperationId> = Promise<Awaited<ReturnType<GeneratedMethod<Id>>>>;

/**
 * One method per operationId of the generated code, taking the generated request body and
 * answering the generated response: KmsClient extends it, so an operation added to the spec
 * (or a changed body) fails to compile until the client follows.
 */
export type KmsOperations = {
  [Id in OperationId]: Parameters<GeneratedMethod<Id>>[0] extends { versionId: string }
    ? // show-version (GET /{version_id}) takes the version, as the official SDK's showVersion does.
      (versionId: string, options?: CallOptions) => Answer<Id>
    : 'keyId' extends keyof Parameters<GeneratedMethod<Id>>[0]
      ? // A path naming the key (the tag operations) takes the key ID first, then what else the path or body needs.
        (keyId: string, ...rest: never[]) => Answer<Id>
      : [BodyOf<Parameters<GeneratedMethod<Id>>[0]>] extends [never]
        ? // An operation without a body (the GETs user-quotas, user-instances, list-versions) takes only the call options.
          (options?: CallOptions) => Answer<Id>
        : (request: NonNullable<BodyOf<Parameters<GeneratedMethod<Id>>[0]>>, options?: CallOptions) => Answer<Id>;
};

/** The KMS v1.0 API in the API's own field names. Every non-2xx answer throws a {@link KmsError}. */
export interface KmsClient extends KmsOperations {
  /** `POST /v1.0/{project_id}/kms/create-key`: a new customer master key. */
  createKey(request: CreateKeyRequest, options?: CallOptions): Promise<CreateKeyResponse>;
  /** `POST /v1.0/{project_id}/kms/create-datakey`: a data key, plain and sealed under the CMK. */
  createDatakey(request: CreateDatakeyRequest, options?: CallOptions): Promise<CreateDatakeyResponse>;
  /** `POST /v1.0/{project_id}/kms/decrypt-datakey`: the data key back from its `cipher_text` (same `encryption_context`). */
  decryptDatakey(request: DecryptDatakeyRequest, options?: CallOptions): Promise<DecryptDatakeyResponse>;
  /** `POST /v1.0/{project_id}/kms/encrypt-datakey`: seals a data key you have; `plain_text` = hex(DEK ‖ SHA-256(DEK)). */
  encryptDatakey(request: EncryptDatakeyRequest, options?: CallOptions): Promise<EncryptDatakeyResponse>;
  /** `POST /v1.0/{project_id}/kms/create-datakey-without-plaintext`: create-datakey's request; only `key_id` and `cipher_text` come back. */
  createDatakeyWithoutPlaintext(request: CreateDatakeyRequest, options?: CallOptions): Promise<CreateDatakeyWithoutPlaintextResponse>;
  /** `POST /v1.0/{project_id}/kms/gen-random`: `random_data_length` random bits (8 to 8192, a multiple of 8), upper-case hex. */
  genRandom(request: GenRandomRequest, options?: CallOptions): Promise<GenRandomResponse>;
  /** `POST /v1.0/{project_id}/kms/update-key-alias`: a new alias (create-key's rule; another key's alias is `KMS.1104`). */
  updateKeyAlias(request: UpdateKeyAliasRequest, options?: CallOptions): Promise<UpdateKeyAliasResponse>;
  /** `POST /v1.0/{project_id}/kms/update-key-description`: a new description (0 to 255 characters). */
  updateKeyDescription(request: UpdateKeyDescriptionRequest, options?: CallOptions): Promise<UpdateKeyDescriptionResponse>;
  /** `POST /v1.0/{project_id}/kms/encrypt-data`: seals text of 1 to 4096 UTF-8 bytes under the CMK; `cipher_text` is base64. */
  encryptData(request: EncryptDataRequest, options?: CallOptions): Promise<EncryptDataResponse>;
  /** `POST /v1.0/{project_id}/kms/decrypt-data`: the text back (`plain_text`, and `plain_text_base64`), same `encryption_context`. */
  decryptData(request: DecryptDataRequest, options?: CallOptions): Promise<DecryptDataResponse>;
  /** `GET /v1.0/{project_id}/kms/user-quotas`: the project's key quota and use (`CMK`), and the grants quota. */
  showUserQuotas(options?: CallOptions): Promise<UserQuotasResponse>;
  /** `GET /v1.0/{project_id}/kms/user-instances`: how many keys the project holds. */
  showUserInstances(options?: CallOptions): Promise<UserInstancesResponse>;
  /** `POST /v1.0/{project_id}/kms/describe-key`: a key's full description. */
  describeKey(request: DescribeKeyRequest, options?: CallOptions): Promise<DescribeKeyResponse>;
  /** `POST /v1.0/{project_id}/kms/list-keys`: a page of keys; pass `next_marker` as `marker` while `truncated` is "true". */
  listKeys(request?: ListKeysRequest, options?: CallOptions): Promise<ListKeysResponse>;
  /** `POST /v1.0/{project_id}/kms/enable-key`: a disabled key becomes enabled (`key_info.key_state` "2"). */
  enableKey(request: OperateKeyRequest, options?: CallOptions): Promise<KeyStatusInfoResponse>;
  /** `POST /v1.0/{project_id}/kms/disable-key`: an enabled key becomes disabled ("3") and refuses data-key operations. */
  disableKey(request: OperateKeyRequest, options?: CallOptions): Promise<KeyStatusInfoResponse>;
  /** `POST /v1.0/{project_id}/kms/schedule-key-deletion`: the key is destroyed in `pending_days` ("7" to "1096") days unless cancelled. */
  scheduleKeyDeletion(request: ScheduleKeyDeletionRequest, options?: CallOptions): Promise<KeyStateResponse>;
  /** `POST /v1.0/{project_id}/kms/cancel-key-deletion`: a key pending deletion returns to disabled ("3"). */
  cancelKeyDeletion(request: OperateKeyRequest, options?: CallOptions): Promise<KeyStateResponse>;
  /** `GET /v1.0/{project_id}/kms/{key_id}/tags`: the key's tags (by key) and `existTagsNum`. */
  showKmsTags(keyId: string, options?: CallOptions): Promise<ShowKmsTagsResponse>;
  /** `POST /v1.0/{project_id}/kms/{key_id}/tags`: adds `tag` (or gives its key a new value); 204, nothing to return. */
  createKmsTag(keyId: string, request: CreateKmsTagRequest, options?: CallOptions): Promise<void>;
  /** `DELETE /v1.0/{project_id}/kms/{key_id}/tags/{key}`: removes the tag `tagKey` (percent-encoded for you); 204. */
  deleteTag(keyId: string, tagKey: string, options?: CallOptions): Promise<void>;
  /** `POST /v1.0/{project_id}/kms/{key_id}/tags/action`: adds (`action: create`) or deletes (`delete`) `tags` in one step; 204. */
  batchCreateKmsTags(keyId: string, request: BatchCreateKmsTagsRequest, options?: CallOptions): Promise<void>;
  /** `GET /v1.0/{project_id}/kms/tags`: every tag key of the project's keys, with its values. */
  listKmsTags(options?: CallOptions): Promise<ListKmsTagsResponse>;
  /** `POST /v1.0/{project_id}/kms/resource_instances/action`: keys matching `tags` / `matches` (`action: filter`), or their `total_count` (`count`). */
  listKmsByTags(request: ListKmsByTagsRequest, options?: CallOptions): Promise<ListKmsByTagsResponse>;
  /** `POST /v1.0/{project_id}/kms/enable-key-rotation`: the key rotates every `rotation_interval` days (365 by default); answers `{}`. */
  enableKeyRotation(request: OperateKeyRequest, options?: CallOptions): Promise<object>;
  /** `POST /v1.0/{project_id}/kms/disable-key-rotation`: no more automatic rotations (versions made stay); answers `{}`. */
  disableKeyRotation(request: OperateKeyRequest, options?: CallOptions): Promise<object>;
  /** `POST /v1.0/{project_id}/kms/update-key-rotation-interval`: days between automatic rotations, 30 to 365; answers `{}`. */
  updateKeyRotationInterval(request: UpdateKeyRotationIntervalRequest, options?: CallOptions): Promise<object>;
  /** `POST /v1.0/{project_id}/kms/get-key-rotation-status`: enabled, interval, last rotation time (epoch ms, "" before any) and count. */
  showKeyRotationStatus(request: OperateKeyRequest, options?: CallOptions): Promise<KeyRotationStatusResponse>;
  /** `POST /v1.0/{project_id}/kms/rotate-on-demand`: a new material version now; everything made before still decrypts. */
  rotateOnDemand(request: OperateKeyRequest, options?: CallOptions): Promise<RotateOnDemandResponse>;
  /** `GET /`: the API versions the server serves (`versions`, each with `id`, `links`, `status`, `updated`); needs no credential. */
  listVersions(options?: CallOptions): Promise<ListVersionsResponse>;
  /** `GET /{version_id}`: one API version (`version`), e.g. `showVersion('v1.0')`; an unknown one throws `404 KMS.0201`. */
  showVersion(versionId: string, options?: CallOptions): Promise<ShowVersionResponse>;
}

/** Test seams: time and randomness of the backoff. */
export interface KmsClientInternals {
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly now?: () => number;
}

/**
 * A client for one project. The generated `KeysApi` / `DataKeysApi` do the HTTP; this layer
 * adds the token, retries, deadlines and typed errors.
 *
 * Note on retries of create-key: if a first try was applied but its answer lost (a 502 from a
 * proxy, say), the retry of the same alias answers `KMS.1104`. Send a `sequence` to correlate.
 */
export function createKmsClient(options: KmsClientOptions, internals: KmsClientInternals = {}): KmsClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(endpoint)) throw new TypeError('endpoint must be an http(s) URL');
  if (!options.projectId) throw new TypeError('projectId is required');
  const policy = retryPolicy(options.retry);
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const random = internals.random ?? Math.random;
  const sleep = internals.sleep ?? abortableSleep;
  const now = internals.now ?? Date.now;
  const authenticate = authenticator(options, now);

  /** A Configuration whose fetch retries and obeys this call's signal; the generated API calls it. */
  const configurationFor = (call: CallOptions | undefined): Configuration => {
    const timeoutMs = call?.timeoutMs ?? options.timeoutMs;
    const signals = [call?.signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)].filter(
      (signal): signal is AbortSignal => signal !== undefined,
    );
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    return new Configuration({
      basePath: endpoint,
      fetchApi: (url, init) =>
        // Credentials are applied to every try: a rotating token provider is honoured, and a
        // retried signed request gets a fresh X-Sdk-Date.
        fetchWithRetry(
          baseFetch,
          String(url),
          async () => ({ ...init, headers: await authenticate(init?.method ?? 'GET', String(url), init), signal }),
          policy,
          { random, sleep, now },
        ),
    });
  };

  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      // The generated API throws the Response itself for a non-2xx.
      if (error instanceof Response) throw await KmsError.fromResponse(error);
      throw error;
    }
  };

  return {
    createKey: (request, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).createKey({ projectId: options.projectId, createKeyRequest: request })),
    createDatakey: (request, callOptions) =>
      call(() =>
        new DataKeysApi(configurationFor(callOptions)).createDatakey({ projectId: options.projectId, createDatakeyRequest: request }),
      ),
    decryptDatakey: (request, callOptions) =>
      call(() =>
        new DataKeysApi(configurationFor(callOptions)).decryptDatakey({ projectId: options.projectId, decryptDatakeyRequest: request }),
      ),
    encryptDatakey: (request, callOptions) =>
      call(() =>
        new DataKeysApi(configurationFor(callOptions)).encryptDatakey({ projectId: options.projectId, encryptDatakeyRequest: request }),
      ),
    createDatakeyWithoutPlaintext: (request, callOptions) =>
      call(() =>
        new DataKeysApi(configurationFor(callOptions)).createDatakeyWithoutPlaintext({
          projectId: options.projectId,
          createDatakeyRequest: request,
        }),
      ),
    genRandom: (request, callOptions) =>
      call(() => new DataKeysApi(configurationFor(callOptions)).genRandom({ projectId: options.projectId, genRandomRequest: request })),
    updateKeyAlias: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).updateKeyAlias({ projectId: options.projectId, updateKeyAliasRequest: request }),
      ),
    updateKeyDescription: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).updateKeyDescription({
          projectId: options.projectId,
          updateKeyDescriptionRequest: request,
        }),
      ),
    encryptData: (request, callOptions) =>
      call(() => new DataKeysApi(configurationFor(callOptions)).encryptData({ projectId: options.projectId, encryptDataRequest: request })),
    decryptData: (request, callOptions) =>
      call(() => new DataKeysApi(configurationFor(callOptions)).decryptData({ projectId: options.projectId, decryptDataRequest: request })),
    showUserQuotas: (callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).showUserQuotas({ projectId: options.projectId })),
    showUserInstances: (callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).showUserInstances({ projectId: options.projectId })),
    describeKey: (request, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).describeKey({ projectId: options.projectId, describeKeyRequest: request })),
    listKeys: (request = {}, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).listKeys({ projectId: options.projectId, listKeysRequest: request })),
    enableKey: (request, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).enableKey({ projectId: options.projectId, operateKeyRequest: request })),
    disableKey: (request, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).disableKey({ projectId: options.projectId, operateKeyRequest: request })),
    scheduleKeyDeletion: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).scheduleKeyDeletion({
          projectId: options.projectId,
          scheduleKeyDeletionRequest: request,
        }),
      ),
    cancelKeyDeletion: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).cancelKeyDeletion({ projectId: options.projectId, operateKeyRequest: request }),
      ),
    showKmsTags: (keyId, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).showKmsTags({ projectId: options.projectId, keyId })),
    createKmsTag: (keyId, request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).createKmsTag({ projectId: options.projectId, keyId, createKmsTagRequest: request }),
      ),
    deleteTag: (keyId, tagKey, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).deleteTag({ projectId: options.projectId, keyId, key: tagKey })),
    batchCreateKmsTags: (keyId, request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).batchCreateKmsTags({
          projectId: options.projectId,
          keyId,
          batchCreateKmsTagsRequest: request,
        }),
      ),
    listKmsTags: (callOptions) => call(() => new KeysApi(configurationFor(callOptions)).listKmsTags({ projectId: options.projectId })),
    listKmsByTags: (request, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).listKmsByTags({ projectId: options.projectId, listKmsByTagsRequest: request })),
    enableKeyRotation: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).enableKeyRotation({ projectId: options.projectId, operateKeyRequest: request }),
      ),
    disableKeyRotation: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).disableKeyRotation({ projectId: options.projectId, operateKeyRequest: request }),
      ),
    updateKeyRotationInterval: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).updateKeyRotationInterval({
          projectId: options.projectId,
          updateKeyRotationIntervalRequest: request,
        }),
      ),
    showKeyRotationStatus: (request, callOptions) =>
      call(() =>
        new KeysApi(configurationFor(callOptions)).showKeyRotationStatus({ projectId: options.projectId, operateKeyRequest: request }),
      ),
    rotateOnDemand: (request, callOptions) =>
      call(() => new KeysApi(configurationFor(callOptions)).rotateOnDemand({ projectId: options.projectId, operateKeyRequest: request })),
    // The server needs no credential here; the client sends its own anyway (the server ignores it), as the SDKs do.
    listVersions: (callOptions) => call(() => new VersionsApi(configurationFor(callOptions)).listVersions()),
    showVersion: (versionId, callOptions) =>
      call(() => new VersionsApi(configurationFor(callOptions)).showVersion({ versionId: versionId as ShowVersionVersionIdEnum })),
  };
}

/** The headers of one try: the generated request's own plus the credential (a token, or a signature). */
type Authenticator = (method: string, url: string, init: RequestInit | undefined) => Promise<Record<string, string>>;

function authenticator(options: KmsClientOptions, now: () => number): Authenticator {
  const hasToken = options.token !== undefined;
  const hasAccessKey = options.accessKey !== undefined || options.secretKey !== undefined;
  if (hasToken === hasAccessKey) throw new TypeError('give either token, or accessKey and secretKey');
  if (options.token !== undefined) {
    const token = options.token;
    const tokenOf = typeof token === 'function' ? token : () => token;
    return async (_method, _url, init) => ({ ...(init?.headers as Record<string, string>), 'X-Auth-Token': await tokenOf() });
  }
  const signer = createRequestSigner({ accessKey: options.accessKey, secretKey: options.secretKey });
  return async (method, url, init) => {
    // X-Project-Id is signed, as the official SDKs send and sign it.
    const headers = { ...(init?.headers as Record<string, string>), 'X-Project-Id': options.projectId };
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string') throw new TypeError('only string bodies can be signed');
    return { ...headers, ...(await signer.sign({ method, url, headers, body: body ?? undefined }, new Date(now()))) };
  };
}

interface Clock {
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly now: () => number;
}

/** One call: tries until a non-retryable answer, the last try, or the signal aborts. */
async function fetchWithRetry(
  baseFetch: typeof fetch,
  url: string,
  initForTry: () => Promise<RequestInit>,
  policy: RetryPolicy,
  clock: Clock,
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const init = await initForTry();
    init.signal?.throwIfAborted();
    const response = await baseFetch(url, init);
    if (!RETRYABLE_STATUSES.has(response.status) || attempt >= policy.maxAttempts) return response;
    const delay = backoffDelayMs(policy, attempt, response.headers.get('retry-after'), clock.random, clock.now());
    // Free the connection before waiting; the body of a retried answer is not needed.
    await response.body?.cancel().catch(() => undefined);
    await clock.sleep(delay, init.signal ?? undefined);
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
