import { openAesGcm, sealAesGcm, systemRandomBytes, type RandomBytes } from '../crypto/aes-gcm';
import { datakeyBlobVersion, encodeDatakeyBlob, FIRST_MATERIAL_VERSION, materialVersionField, type DatakeyBlob } from './datakey-blob';
import { encodeEncryptionContext, type EncryptionContext } from './encryption-context';

/**
 * Sealing a data key under its CMK, as docs/ciphertext-format.md specifies: AES-256-GCM with
 * the associated data built here, framed as a version-2 blob. The one place the AAD is made.
 *
 * Two AAD forms, told apart by their label (the labels differ at byte 15, so no AAD of one form
 * equals one of the other):
 * - without `additional_authenticated_data` (absent or empty): label ‖ version ‖ key ID ‖ context,
 *   byte for byte what every blob made before the field existed was sealed with, so those still open;
 * - with it: its own label ‖ version ‖ key ID ‖ context ‖ u32 BE byte length ‖ the UTF-8 bytes.
 *   The context encoding delimits itself and the length prefix delimits the string, so no two
 *   (context, AAD) pairs share an encoding.
 *
 * A blob sealed under a rotated material version (format 3) has the same two forms with `03 00`
 * as the version and the material version (u32 BE) right after the key ID: the version is bound.
 */

const DATAKEY_AAD_LABEL = Buffer.from('openkms.datakey\0', 'ascii');
const DATAKEY_AAD_WITH_DATA_LABEL = Buffer.from('openkms.datakey.aad\0', 'ascii');

/** Associated data of a data key: see above. `additionalData` is a string checkAdditionalAuthenticatedData accepted. */
export function datakeyAad(
  keyId: string,
  context: EncryptionContext,
  additionalData = '',
  materialVersion: number = FIRST_MATERIAL_VERSION,
): Buffer {
  const version = materialVersion === FIRST_MATERIAL_VERSION ? [] : [materialVersionField(materialVersion)];
  const common = [datakeyBlobVersion(materialVersion), Buffer.from(keyId, 'ascii'), ...version, encodeEncryptionContext(context)];
  if (additionalData === '') return Buffer.concat([DATAKEY_AAD_LABEL, ...common]);
  const data = Buffer.from(additionalData, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([DATAKEY_AAD_WITH_DATA_LABEL, ...common, length, data]);
}

export interface DataKeyToSeal {
  /** The CMK's plain material. */
  readonly material: Buffer;
  readonly keyId: string;
  readonly dek: Buffer;
  /** A context checkEncryptionContext accepted. */
  readonly context: EncryptionContext;
  /** An `additional_authenticated_data` checkAdditionalAuthenticatedData accepted; '' (none) when absent. */
  readonly additionalData?: string;
  /** Which of the CMK's material versions `material` is (1, the first, when absent). */
  readonly materialVersion?: number;
}

/** The data key blob of a DEK, bound to its key ID, encryption context and additional authenticated data. */
export function sealDataKey(
  { material, keyId, dek, context, additionalData, materialVersion = FIRST_MATERIAL_VERSION }: DataKeyToSeal,
  random: RandomBytes = systemRandomBytes,
): Buffer {
  const payload = sealAesGcm(material, dek, datakeyAad(keyId, context, additionalData, materialVersion), random);
  return encodeDatakeyBlob({ keyId, payload, materialVersion });
}

/** The DEK of a decoded blob; undefined when the material, the context or the additional data is not the one it was sealed with. */
export function openDataKey(material: Buffer, blob: DatakeyBlob, context: EncryptionContext, additionalData = ''): Buffer | undefined {
  return openAesGcm(material, blob.payload, datakeyAad(blob.keyId, context, additionalData, blob.materialVersion));
}
