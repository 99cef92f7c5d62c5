import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES } from './ciphertext/additional-authenticated-data';
import { DATA_CIPHERTEXT_OVERHEAD_BYTES, DATA_PLAINTEXT_MAX_BYTES, DATA_PLAINTEXT_MIN_BYTES } from './ciphertext/data-ciphertext';
import { DATAKEY_BLOB_OVERHEAD_BYTES } from './ciphertext/datakey-blob';
import { ENCRYPTION_CONTEXT_MAX_CHARS } from './ciphertext/encryption-context';
import { KMS_ERRORS, isKmsErrorCode } from './errors';
import { KEY_ALIAS_MAX_CHARS, KEY_ALIAS_PATTERN, KEY_DESCRIPTION_MAX_CHARS } from './keys/key-alias';
import { KEY_ID_PATTERN } from './keys/key-id';
import { KEY_ORIGINS, KeyState } from './keys/key-record';
import { KEY_REFERENCE_PATTERN, REGION_MAX_CHARS } from './keys/key-reference';
import { CMK_KEY_SPEC, CMK_KEY_USAGE, DATAKEY_KEY_SPEC_BITS, LIST_KEYS_KEY_SPECS } from './keys/key-spec';
import { LIST_CURSOR_MAX_CHARS } from './keys/list-cursor';
import {
  MATCH_KEYS,
  MATCH_VALUE_MAX_CHARS,
  MAX_TAGS_PER_KEY,
  RESOURCE_INSTANCES_MAX_LIMIT,
  RESOURCE_INSTANCES_MIN_LIMIT,
  TAG_FILTER_MAX_TAGS,
  TAG_FILTER_MAX_VALUES,
  TAG_FORBIDDEN_CHARACTERS,
  TAG_KEY_MAX_CHARS,
  TAG_VALUE_MAX_CHARS,
} from './keys/key-tags';
import {
  BITS_PER_BYTE,
  DATAKEY_DIGEST_BYTES,
  DATAKEY_MAX_BITS,
  DATAKEY_MAX_BYTES,
  DATAKEY_MIN_BITS,
  DATAKEY_MIN_BYTES,
  DEFAULT_DATAKEY_BITS,
} from './service/datakey-length';
import { LIST_KEYS_MAX_LIMIT, LIST_KEYS_MIN_LIMIT } from './service/kms-service';
import { PENDING_DAYS_MAX, PENDING_DAYS_MIN } from './service/key-lifecycle';
import { ROTATION_INTERVAL_MAX_DAYS, ROTATION_INTERVAL_MIN_DAYS } from './service/key-rotation';
import { SUPPORTED_ENCRYPTION_ALGORITHMS } from './service/data-encryption';
import { QUOTA_RESOURCE_TYPES } from './service/quotas';
import { RANDOM_DATA_BITS_MULTIPLE, RANDOM_DATA_MAX_BITS, RANDOM_DATA_MIN_BITS } from './service/random-data';

/**
 * One source for every limit: each pattern, bound, length and `x-kms-*` limit in spec/kms.yaml
 * is either tied here to the core constant that enforces it, or listed with the reason core has
 * none. Changing either side fails this test until the other follows; a new limit in the spec
 * fails it until someone says which of the two it is.
 */
const SPEC = parse(readFileSync(resolve(__dirname, '../../../spec/kms.yaml'), 'utf8')) as unknown;

const LIMIT_KEYWORDS = new Set([
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'enum',
]);

/** Every limit in the spec, by `<schema path> <keyword>` (`components`, `schemas` and `properties` left out of the path). */
function specLimits(): Map<string, unknown> {
  const limits = new Map<string, unknown>();
  const walk = (node: unknown, path: readonly string[]): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => walk(item, [...path, String(index)]));
    if (node === null || typeof node !== 'object') return;
    for (const [name, value] of Object.entries(node)) {
      if (name === 'example' || name === 'examples') continue;
      if (LIMIT_KEYWORDS.has(name) || (name.startsWith('x-kms-') && name !== 'x-kms-error-code')) {
        const where = path.filter((part) => part !== 'components' && part !== 'schemas' && part !== 'properties').join('.');
        limits.set(`${where} ${name}`, value);
      } else {
        walk(value, [...path, name]);
      }
    }
  };
  walk(SPEC, []);
  return limits;
}

const sameRegExp = (expected: RegExp) => (value: unknown) => expect(new RegExp(String(value)).source).toBe(expected.source);
const equals = (expected: unknown) => (value: unknown) => expect(value).toEqual(expected);
/** A decimal-string field's pattern admits both ends of core's range. */
const admitsRange = (min: number, max: number) => (value: unknown) => {
  for (const end of [min, max]) expect(String(end)).toMatch(new RegExp(String(value)));
};
/** A key reference field's length bounds admit every reference KEY_REFERENCE_PATTERN accepts. */
const LONGEST_REFERENCE = `kms:${'r'.repeat(REGION_MAX_CHARS)}:${'d'.repeat(64)}:alias:${'a'.repeat(KEY_ALIAS_MAX_CHARS)}`;
const referenceMinLength = (value: unknown) => {
  expect(value).toBe(1);
  expect(KEY_REFERENCE_PATTERN.test('')).toBe(false);
};
const referenceMaxLength = (value: unknown) => {
  expect(LONGEST_REFERENCE).toMatch(KEY_REFERENCE_PATTERN);
  expect(`${LONGEST_REFERENCE}a`).not.toMatch(KEY_REFERENCE_PATTERN);
  expect(LONGEST_REFERENCE.length).toBeLessThanOrEqual(value as number);
};
const dekHexPattern = sameRegExp(new RegExp(`^([0-9A-F]{2}){1,${DATAKEY_MAX_BYTES}}$`));
const markerPattern = sameRegExp(new RegExp(`^[A-Za-z0-9_-]{0,${LIST_CURSOR_MAX_CHARS}}$`));
const keyStates = equals(Object.values(KeyState));
/** A tag key or value pattern refuses exactly the characters core forbids (every ASCII one, and some beyond). */
const tagCharacters = (allowsEmpty: boolean) => (value: unknown) => {
  const pattern = new RegExp(String(value), 'u');
  expect(pattern.test('')).toBe(allowsEmpty);
  for (const character of [...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)), 'é', '环', '🔑', '\u0085']) {
    expect(pattern.test(`a${character}`)).toBe(!TAG_FORBIDDEN_CHARACTERS.test(character));
  }
};

/** Limits core enforces, with the check that ties each to its constant. */
const PINNED: Record<string, (value: unknown) => void> = {
  'KeyId pattern': sameRegExp(KEY_ID_PATTERN),

  'CreateKeyRequest.key_alias pattern': sameRegExp(KEY_ALIAS_PATTERN),
  'CreateKeyRequest.key_alias minLength': (value) => {
    expect(value).toBe(1);
    expect(KEY_ALIAS_PATTERN.test('')).toBe(false);
    expect(KEY_ALIAS_PATTERN.test('a')).toBe(true);
  },
  'CreateKeyRequest.key_alias maxLength': equals(KEY_ALIAS_MAX_CHARS),
  'CreateKeyRequest.key_description minLength': equals(0),
  'CreateKeyRequest.key_description maxLength': equals(KEY_DESCRIPTION_MAX_CHARS),
  'CreateKeyRequest.origin enum': equals(KEY_ORIGINS),
  'CreateKeyRequest.key_spec x-kms-supported-values': equals([CMK_KEY_SPEC]),
  'CreateKeyRequest.key_usage x-kms-supported-values': equals([CMK_KEY_USAGE]),
  // core's checkKeystoreId refuses every keystore_id.
  'CreateKeyRequest.keystore_id x-kms-supported-values': equals([]),
  'CreateDatakeyRequest.key_spec x-kms-supported-values': equals(Object.keys(DATAKEY_KEY_SPEC_BITS)),
  'CreateDatakeyRequest.datakey_length x-kms-default': equals(DEFAULT_DATAKEY_BITS),
  'AdditionalAuthenticatedData x-kms-max-bytes': equals(ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES),
  // Characters: a string of at most 128 bytes has at most 128 characters, so the bound never refuses a valid one.
  'AdditionalAuthenticatedData maxLength': equals(ADDITIONAL_AUTHENTICATED_DATA_MAX_BYTES),
  'ListKeysRequest.key_spec enum': equals(LIST_KEYS_KEY_SPECS),

  ...Object.fromEntries(
    [
      'CreateDatakeyRequest',
      'EncryptDatakeyRequest',
      'DecryptDatakeyRequest',
      'DescribeKeyRequest',
      'EncryptDataRequest',
      'DecryptDataRequest',
    ].flatMap((schema) => [
      [`${schema}.key_id pattern`, sameRegExp(KEY_REFERENCE_PATTERN)],
      [`${schema}.key_id minLength`, referenceMinLength],
      [`${schema}.key_id maxLength`, referenceMaxLength],
    ]),
  ),
  ...Object.fromEntries(
    ['CreateDatakeyRequest', 'EncryptDatakeyRequest', 'DecryptDatakeyRequest', 'EncryptDataRequest', 'DecryptDataRequest'].map((schema) => [
      `${schema}.encryption_context x-kms-max-serialized-length`,
      equals(ENCRYPTION_CONTEXT_MAX_CHARS),
    ]),
  ),

  'CreateDatakeyRequest.datakey_length x-kms-minimum': equals(DATAKEY_MIN_BITS),
  'CreateDatakeyRequest.datakey_length x-kms-maximum': equals(DATAKEY_MAX_BITS),
  'CreateDatakeyRequest.datakey_length x-kms-multiple-of': equals(BITS_PER_BYTE),
  'CreateDatakeyRequest.datakey_length pattern': admitsRange(DATAKEY_MIN_BITS, DATAKEY_MAX_BITS),
  'CreateDatakeyResponse.plain_text pattern': dekHexPattern,

  'EncryptDatakeyRequest.datakey_plain_length x-kms-minimum': equals(DATAKEY_MIN_BYTES),
  'EncryptDatakeyRequest.datakey_plain_length x-kms-maximum': equals(DATAKEY_MAX_BYTES),
  'EncryptDatakeyRequest.datakey_plain_length pattern': admitsRange(DATAKEY_MIN_BYTES, DATAKEY_MAX_BYTES),
  // plain_text is hex(DEK ‖ SHA-256(DEK)): the spec admits the shortest, and caps at the longest.
  'EncryptDatakeyRequest.plain_text maxLength': equals(2 * (DATAKEY_MAX_BYTES + DATAKEY_DIGEST_BYTES)),
  'EncryptDatakeyRequest.plain_text minLength': (value) =>
    expect(value).toBeLessThanOrEqual(2 * (DATAKEY_MIN_BYTES + DATAKEY_DIGEST_BYTES)),
  'EncryptDatakeyResponse.datakey_length pattern': admitsRange(DATAKEY_MIN_BYTES, DATAKEY_MAX_BYTES),

  'DecryptDatakeyRequest.datakey_cipher_length pattern': admitsRange(DATAKEY_MIN_BYTES, DATAKEY_MAX_BYTES),
  // The spec admits the blob of the largest data key (the cap itself is the spec's choice).
  'DecryptDatakeyRequest.cipher_text maxLength': (value) =>
    expect(value).toBeGreaterThanOrEqual(2 * (DATAKEY_MAX_BYTES + DATAKEY_BLOB_OVERHEAD_BYTES)),
  'DecryptDatakeyResponse.data_key pattern': dekHexPattern,
  'DecryptDatakeyResponse.datakey_length pattern': admitsRange(DATAKEY_MIN_BYTES, DATAKEY_MAX_BYTES),

  'KeyDetails.key_alias maxLength': equals(KEY_ALIAS_MAX_CHARS),
  'KeyDetails.key_description maxLength': equals(KEY_DESCRIPTION_MAX_CHARS),
  'KeyDetails.realm maxLength': equals(REGION_MAX_CHARS),
  'KeyDetails.key_state enum': keyStates,
  'KeyStatusInfo.key_state enum': keyStates,
  'KeyStateResponse.key_state enum': keyStates,
  'OperateKeyRequest.key_id pattern': sameRegExp(KEY_ID_PATTERN),
  'ScheduleKeyDeletionRequest.key_id pattern': sameRegExp(KEY_ID_PATTERN),
  'UpdateKeyRotationIntervalRequest.key_id pattern': sameRegExp(KEY_ID_PATTERN),
  'UpdateKeyRotationIntervalRequest.rotation_interval minimum': equals(ROTATION_INTERVAL_MIN_DAYS),
  'UpdateKeyRotationIntervalRequest.rotation_interval maximum': equals(ROTATION_INTERVAL_MAX_DAYS),
  'KeyRotationStatusResponse.rotation_interval minimum': equals(ROTATION_INTERVAL_MIN_DAYS),
  'KeyRotationStatusResponse.rotation_interval maximum': equals(ROTATION_INTERVAL_MAX_DAYS),
  'ScheduleKeyDeletionRequest.pending_days x-kms-minimum': equals(PENDING_DAYS_MIN),
  'ScheduleKeyDeletionRequest.pending_days x-kms-maximum': equals(PENDING_DAYS_MAX),
  'ScheduleKeyDeletionRequest.pending_days pattern': admitsRange(PENDING_DAYS_MIN, PENDING_DAYS_MAX),
  'KeyDetails.origin enum': equals(KEY_ORIGINS),

  'ListKeysRequest.limit x-kms-minimum': equals(LIST_KEYS_MIN_LIMIT),
  'ListKeysRequest.limit x-kms-maximum': equals(LIST_KEYS_MAX_LIMIT),
  'ListKeysRequest.limit pattern': admitsRange(LIST_KEYS_MIN_LIMIT, LIST_KEYS_MAX_LIMIT),
  'ListKeysRequest.marker maxLength': equals(LIST_CURSOR_MAX_CHARS),
  'ListKeysRequest.marker pattern': markerPattern,
  'ListKeysResponse.next_marker pattern': markerPattern,
  'ListKeysRequest.key_state enum': keyStates,

  'UpdateKeyAliasRequest.key_id pattern': sameRegExp(KEY_ID_PATTERN),
  'UpdateKeyAliasRequest.key_alias pattern': sameRegExp(KEY_ALIAS_PATTERN),
  'UpdateKeyAliasRequest.key_alias minLength': equals(1),
  'UpdateKeyAliasRequest.key_alias maxLength': equals(KEY_ALIAS_MAX_CHARS),
  'UpdateKeyAliasResponse.key_info.key_alias maxLength': equals(KEY_ALIAS_MAX_CHARS),
  'UpdateKeyDescriptionRequest.key_id pattern': sameRegExp(KEY_ID_PATTERN),
  'UpdateKeyDescriptionRequest.key_description minLength': equals(0),
  'UpdateKeyDescriptionRequest.key_description maxLength': equals(KEY_DESCRIPTION_MAX_CHARS),
  'UpdateKeyDescriptionResponse.key_info.key_description maxLength': equals(KEY_DESCRIPTION_MAX_CHARS),

  'UserQuotasResponse.quotas.resources.items.type enum': equals(QUOTA_RESOURCE_TYPES),
  'EncryptionAlgorithm x-kms-supported-values': equals(SUPPORTED_ENCRYPTION_ALGORITHMS),
  'EncryptDataRequest.plain_text minLength': equals(DATA_PLAINTEXT_MIN_BYTES),
  // Characters: a text of at most 4096 UTF-8 bytes has at most 4096 characters.
  'EncryptDataRequest.plain_text maxLength': equals(DATA_PLAINTEXT_MAX_BYTES),
  'EncryptDataRequest.plain_text x-kms-max-bytes': equals(DATA_PLAINTEXT_MAX_BYTES),
  // Base64 of the ciphertext of the largest plaintext, exactly.
  'DecryptDataRequest.cipher_text maxLength': equals(4 * Math.ceil((DATA_PLAINTEXT_MAX_BYTES + DATA_CIPHERTEXT_OVERHEAD_BYTES) / 3)),

  'GenRandomRequest.random_data_length x-kms-minimum': equals(RANDOM_DATA_MIN_BITS),
  'GenRandomRequest.random_data_length x-kms-maximum': equals(RANDOM_DATA_MAX_BITS),
  'GenRandomRequest.random_data_length x-kms-multiple-of': equals(RANDOM_DATA_BITS_MULTIPLE),
  'GenRandomRequest.random_data_length pattern': admitsRange(RANDOM_DATA_MIN_BITS, RANDOM_DATA_MAX_BITS),
  'GenRandomResponse.random_data pattern': sameRegExp(new RegExp(`^([0-9A-F]{2}){1,${RANDOM_DATA_MAX_BITS / RANDOM_DATA_BITS_MULTIPLE}}$`)),

  'CreateKmsTagRequest x-kms-max-tags-per-key': equals(MAX_TAGS_PER_KEY),
  'BatchCreateKmsTagsRequest x-kms-max-tags-per-key': equals(MAX_TAGS_PER_KEY),
  'TagItem.key minLength': equals(1),
  'TagItem.key maxLength': equals(TAG_KEY_MAX_CHARS),
  'TagItem.key pattern': tagCharacters(false),
  'TagItem.value maxLength': equals(TAG_VALUE_MAX_CHARS),
  'TagItem.value pattern': tagCharacters(true),
  'TagFilter.key minLength': equals(1),
  'TagFilter.key maxLength': equals(TAG_KEY_MAX_CHARS),
  'TagFilter.key pattern': tagCharacters(false),
  'TagFilter.values maxItems': equals(TAG_FILTER_MAX_VALUES),
  'TagFilter.values.items maxLength': equals(TAG_VALUE_MAX_CHARS),
  'TagFilter.values.items pattern': tagCharacters(true),
  'BatchCreateKmsTagsRequest.action enum': equals(['create', 'delete']),
  'BatchCreateKmsTagsRequest.tags minItems': equals(1),
  'ListKmsByTagsRequest.limit pattern': admitsRange(RESOURCE_INSTANCES_MIN_LIMIT, RESOURCE_INSTANCES_MAX_LIMIT),
  'ListKmsByTagsRequest.limit x-kms-minimum': equals(RESOURCE_INSTANCES_MIN_LIMIT),
  'ListKmsByTagsRequest.limit x-kms-maximum': equals(RESOURCE_INSTANCES_MAX_LIMIT),
  'ListKmsByTagsRequest.action enum': equals(['filter', 'count']),
  'ListKmsByTagsRequest.tags maxItems': equals(TAG_FILTER_MAX_TAGS),
  'ListKmsByTagsRequest.matches.items.key enum': equals(MATCH_KEYS),
  'ListKmsByTagsRequest.matches.items.value minLength': equals(1),
  'ListKmsByTagsRequest.matches.items.value maxLength': equals(MATCH_VALUE_MAX_CHARS),
  'ErrorResponse.error.error_code pattern': (value) => {
    for (const code of Object.keys(KMS_ERRORS)) expect(code).toMatch(new RegExp(String(value)));
  },
};

/** Limits with no core counterpart, and who holds them instead. */
const NOT_CORE: Record<string, string> = {
  'parameters.ProjectId.schema minLength': "project IDs are opaque to core; the server checks them against the caller's token",
  'parameters.ProjectId.schema maxLength': 'as above',
  'parameters.ProjectId.schema pattern': 'as above',
  'headers.Retry-After.schema minimum': "the server's rate limits",
  'DomainId pattern': "domain IDs come from the server's token file; core passes them through",
  'Sequence minLength': 'sequence is only logged by the server',
  'Sequence maxLength': 'as above',
  'Sequence pattern': 'as above',
  'CreateKeyRequest.enterprise_project_id pattern': 'stored as given; the request validator enforces it',
  'ListKeysRequest.enterprise_project_id pattern': 'compared with the stored value as given (see CreateKeyRequest.enterprise_project_id)',
  'CreateDatakeyResponse.cipher_text pattern': 'hex output of the server (handlers/wire.ts formatHex)',
  'EncryptDatakeyResponse.cipher_text pattern': 'as above',
  'CreateDatakeyWithoutPlaintextResponse.cipher_text pattern': 'as above',
  'UserQuotasResponse.quotas.resources.items.used minimum': 'a count',
  'ShowKmsTagsResponse.existTagsNum minimum': 'a count',
  'ListKmsByTagsResponse.total_count minimum': 'a count',
  'ListKmsByTagsRequest.offset pattern': 'any decimal the handler turns into a number; core refuses a negative or unsafe one',
  'ListKmsByTagsRequest.matches maxItems': 'the API names one match key (resource_name), so one match; the handler reads the first',
  'UserQuotasResponse.quotas.resources.items.quota minimum': 'a count (the server refuses a quota below 1)',
  'UserInstancesResponse.instance_num minimum': 'a count',
  'EncryptDataResponse.cipher_text pattern': 'base64 output of the server (handlers/wire.ts)',
  'DecryptDataResponse.plain_text_base64 pattern': 'as above',
  'DecryptDataRequest.cipher_text pattern': 'base64 syntax, parsed by the server (handlers/wire.ts parseBase64)',
  'DecryptDataRequest.cipher_text minLength': 'as above',
  'DecryptDatakeyResponse.datakey_dgst pattern': "hex SHA-256 written by the server's handler",
  'DecryptDatakeyRequest.cipher_text minLength': 'hex syntax, parsed by the server (handlers/wire.ts parseHex)',
  'DecryptDatakeyRequest.cipher_text pattern': 'as above',
  'EncryptDatakeyRequest.plain_text pattern': 'as above',
  'KeyDetails.creation_date pattern': 'KeyRecord.creationDate is a number; the handler writes it as a string',
  'KeyDetails.scheduled_deletion_date pattern': 'no operation schedules deletion yet; the handler writes ""',
  'KeyDetails.expiration_time pattern': 'no operation imports material yet; the handler writes ""',
  'KeyDetails.default_key_flag enum': 'core makes no Default Master Keys; the handler writes "0"',
  'KeyDetails.key_type pattern': 'the handler writes "1"',
  'KeyDetails.key_rotation_enabled enum': 'the handler writes core\'s rotation setting as "true"/"false"',
  'KeyRotationStatusResponse.last_rotation_time pattern':
    'the handler writes core\'s epoch ms as a string, or "" before the first rotation',
  'KeyRotationStatusResponse.number_of_rotations minimum': 'a count',
  'KeyDetails.sys_enterprise_project_id pattern': 'stored as given (see CreateKeyRequest.enterprise_project_id)',
  'KeyDetails.key_spec enum': 'core makes AES_256 keys only; the handler writes it',
  'KeyDetails.key_usage enum': 'core keys encrypt and decrypt only; the handler writes it',
  'ListKeysResponse.truncated enum': 'the handler writes core\'s boolean as "true"/"false"',
  'ListKeysResponse.total minimum': 'a count',
  'GatewayErrorResponse.error_code enum': "the server's signature verifier writes it (auth/signature/gateway-error.ts), not core",
  'GatewayErrorResponse.error_msg pattern': 'as above',
  'paths./{version_id}.parameters.0.schema enum':
    "the versions the server serves (handlers/api-versions.ts); the server's router matches only these",
  'ApiVersionDetail.status enum': 'version discovery is answered by the server alone (handlers/api-versions.ts), not core',
  'ApiVersionDetail.updated pattern': 'as above',
};

describe('spec/kms.yaml limits and core constants', () => {
  const limits = specLimits();

  it("finds the spec's limits", () => {
    expect(limits.size).toBeGreaterThan(50);
  });

  it("accounts for every limit in the spec: pinned to core, or said not to be core's", () => {
    const unaccounted = [...limits.keys()].filter((id) => !(id in PINNED) && !(id in NOT_CORE));
    expect(unaccounted).toEqual([]);
  });

  it('lists no limit the spec does not have, and none twice', () => {
    expect([...Object.keys(PINNED), ...Object.keys(NOT_CORE)].filter((id) => !limits.has(id))).toEqual([]);
    expect(Object.keys(PINNED).filter((id) => id in NOT_CORE)).toEqual([]);
  });

  it.each(Object.keys(PINNED))('%s agrees with core', (id) => {
    expect(limits.has(id)).toBe(true);
    PINNED[id]!(limits.get(id));
  });

  it('names only catalogued KMS codes in x-kms-error-code', () => {
    const codes = [...JSON.stringify(SPEC).matchAll(/"x-kms-error-code":"([^"]*)"/g)].map((match) => match[1]!);
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.filter((code) => !isKmsErrorCode(code))).toEqual([]);
  });
});
