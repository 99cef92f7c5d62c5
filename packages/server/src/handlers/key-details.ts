import type { KeyRecord } from '@openkms/core';
import type { KeyDetails } from '../generated';

/** A key's full description as describe-key and list-keys answer it: every field a string (KMS docs: keys). */
export function toKeyDetails(key: KeyRecord, realm: string): KeyDetails {
  return {
    key_id: key.keyId,
    domain_id: key.domainId,
    key_alias: key.keyAlias,
    realm,
    key_description: key.keyDescription,
    creation_date: String(key.creationDate),
    // Set only while the key is pending deletion; no operation sets an expiry yet.
    scheduled_deletion_date: key.scheduledDeletionDate == null ? '' : String(key.scheduledDeletionDate),
    key_state: key.keyState,
    default_key_flag: '0',
    key_type: '1',
    expiration_time: '',
    origin: key.origin,
    key_rotation_enabled: key.rotationEnabledAt === undefined ? 'false' : 'true',
    sys_enterprise_project_id: key.enterpriseProjectId,
    key_spec: 'AES_256',
    key_usage: 'ENCRYPT_DECRYPT',
  };
}
