import type { KmsService } from '@openkms/core';
import type { OperationHandlers } from '../generated';
import { createDatakeyHandler } from './create-datakey';
import { createDatakeyWithoutPlaintextHandler } from './create-datakey-without-plaintext';
import { createKeyHandler } from './create-key';
import { decryptDataHandler } from './decrypt-data';
import { decryptDatakeyHandler } from './decrypt-datakey';
import { describeKeyHandler } from './describe-key';
import { encryptDataHandler } from './encrypt-data';
import { encryptDatakeyHandler } from './encrypt-datakey';
import { genRandomHandler } from './gen-random';
import { listKeysHandler } from './list-keys';
import { listVersionsHandler } from './list-versions';
import { cancelKeyDeletionHandler } from './cancel-key-deletion';
import { disableKeyHandler } from './disable-key';
import { enableKeyHandler } from './enable-key';
import { scheduleKeyDeletionHandler } from './schedule-key-deletion';
import type { RequestContext } from './request-context';
import { showUserInstancesHandler } from './show-user-instances';
import { showUserQuotasHandler } from './show-user-quotas';
import { showVersionHandler } from './show-version';
import { updateKeyAliasHandler } from './update-key-alias';
import { updateKeyDescriptionHandler } from './update-key-description';
import { batchCreateKmsTagsHandler } from './batch-create-kms-tags';
import { createKmsTagHandler } from './create-kms-tag';
import { deleteTagHandler } from './delete-tag';
import { listKmsByTagsHandler } from './list-kms-by-tags';
import { listKmsTagsHandler } from './list-kms-tags';
import { showKmsTagsHandler } from './show-kms-tags';
import { disableKeyRotationHandler } from './disable-key-rotation';
import { enableKeyRotationHandler } from './enable-key-rotation';
import { rotateOnDemandHandler } from './rotate-on-demand';
import { showKeyRotationStatusHandler } from './show-key-rotation-status';
import { updateKeyRotationIntervalHandler } from './update-key-rotation-interval';

export type { RequestContext } from './request-context';

/**
 * One handler per operationId of the spec. The generated OperationHandlers type makes a
 * missing, renamed or mistyped handler a compile error.
 */
export function createOperationHandlers(service: KmsService): OperationHandlers<RequestContext> {
  return {
    createKey: createKeyHandler(service),
    createDatakey: createDatakeyHandler(service),
    encryptDatakey: encryptDatakeyHandler(service),
    decryptDatakey: decryptDatakeyHandler(service),
    describeKey: describeKeyHandler(service),
    listKeys: listKeysHandler(service),
    // Key lifecycle (docs/key-states.md).
    enableKey: enableKeyHandler(service),
    disableKey: disableKeyHandler(service),
    scheduleKeyDeletion: scheduleKeyDeletionHandler(service),
    cancelKeyDeletion: cancelKeyDeletionHandler(service),
    createDatakeyWithoutPlaintext: createDatakeyWithoutPlaintextHandler(service),
    genRandom: genRandomHandler(service),
    updateKeyAlias: updateKeyAliasHandler(service),
    updateKeyDescription: updateKeyDescriptionHandler(service),
    encryptData: encryptDataHandler(service),
    decryptData: decryptDataHandler(service),
    showUserQuotas: showUserQuotasHandler(service),
    showUserInstances: showUserInstancesHandler(service),
    // Tags (Tag management).
    showKmsTags: showKmsTagsHandler(service),
    createKmsTag: createKmsTagHandler(service),
    deleteTag: deleteTagHandler(service),
    batchCreateKmsTags: batchCreateKmsTagsHandler(service),
    listKmsTags: listKmsTagsHandler(service),
    listKmsByTags: listKmsByTagsHandler(service),
    // Key rotation (docs/key-rotation.md).
    enableKeyRotation: enableKeyRotationHandler(service),
    disableKeyRotation: disableKeyRotationHandler(service),
    updateKeyRotationInterval: updateKeyRotationIntervalHandler(service),
    showKeyRotationStatus: showKeyRotationStatusHandler(service),
    rotateOnDemand: rotateOnDemandHandler(service),
    // Version discovery: no key, no credential.
    listVersions: listVersionsHandler(),
    showVersion: showVersionHandler(),
  };
}
