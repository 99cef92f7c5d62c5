import { openAesGcm, sealAesGcm, systemRandomBytes, type RandomBytes } from '../crypto/aes-gcm';
import { DATAKEY_BLOB_VERSION, encodeDatakeyBlob, type DatakeyBlob } from './datakey-blob';
import { encodeEncryptionContext, type EncryptionContext } from './encryption-context';

/**
 * Sealing a data key under its CMK, as docs/ciphertext-format.md specifies: AES-256-GCM with
 * the associated data built here, framed as a version-2 blob. The one place the AAD is made.
 */

const DATAKEY_AAD_LABEL = Buffer.from('openkms.datakey\0', 'ascii');

/** Associated data of a data key: label ‖ format version ‖ key ID ‖ canonical encryption context. */
export function datakeyAad(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([DATAKEY_AAD_LABEL, DATAKEY_BLOB_VERSION, Buffer.from(keyId, 'ascii'), encodeEncryptionContext(context)]);
}

export interface DataKeyToSeal {
  /** The CMK's plain material. */
  readonly material: Buffer;
  readonly keyId: string;
  readonly dek: Buffer;
  /** A context checkEncryptionContext accepted. */
  readonly context: EncryptionContext;
}

/** The data key blob of a DEK, bound to its key ID and encryption context. */
export function sealDataKey({ material, keyId, dek, context }: DataKeyToSeal, random: RandomBytes = systemRandomBytes): Buffer {
  return encodeDatakeyBlob({ keyId, payload: sealAesGcm(material, dek, datakeyAad(keyId, context), random) });
}

/** The DEK of a decoded blob; undefined when the material or the context is not the one it was sealed with. */
export function openDataKey(material: Buffer, blob: DatakeyBlob, context: EncryptionContext): Buffer | undefined {
  return openAesGcm(material, blob.payload, datakeyAad(blob.keyId, context));
}
