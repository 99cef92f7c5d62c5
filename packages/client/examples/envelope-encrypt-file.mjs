#!/usr/bin/env node
// Envelope encryption of one file with @openkms/client.
//
//   KMS_ENDPOINT=http://127.0.0.1:8080 KMS_PROJECT_ID=... KMS_TOKEN=... KMS_KEY_ID=alias/app/files \
//     node envelope-encrypt-file.mjs report.pdf report.pdf.enc
//
// The KMS makes a fresh 256-bit data key and returns it twice: in the clear (plain_text) and
// sealed under the master key (cipher_text). The file is encrypted locally with the clear key
// (AES-256-GCM), the clear key is wiped, and only cipher_text is kept, inside the output file.
// Decrypting needs the KMS to open cipher_text again (decrypt-datakey) with the same
// encryption_context.
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createKmsClient, dataKeyBytes } from '@openkms/client';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node envelope-encrypt-file.mjs <input file> <output file>');
  process.exit(2);
}
const kms = createKmsClient({ endpoint: process.env.KMS_ENDPOINT, projectId: process.env.KMS_PROJECT_ID, token: process.env.KMS_TOKEN });

// The context is not secret; it is bound to cipher_text and must be given again to decrypt it.
const encryptionContext = { file: basename(input) };
const dataKey = dataKeyBytes(
  await kms.createDatakey({ key_id: process.env.KMS_KEY_ID, datakey_length: '256', encryption_context: encryptionContext }),
);

// Everything needed to decrypt, except the key. It is bound to the file's ciphertext as
// associated data, so swapping any of it makes decryption fail.
const header = {
  format: 'openkms-envelope-v1',
  key_id: dataKey.keyId,
  cipher_text: Buffer.from(dataKey.ciphertext).toString('hex').toUpperCase(),
  encryption_context: encryptionContext,
};
const iv = randomBytes(12);
let sealed;
try {
  const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
  cipher.setAAD(Buffer.from(JSON.stringify(header)));
  sealed = Buffer.concat([cipher.update(await readFile(input)), cipher.final()]);
  header.iv = iv.toString('hex');
  header.tag = cipher.getAuthTag().toString('hex');
} finally {
  dataKey.plaintext.fill(0);
}
// One JSON line of header, then the ciphertext bytes.
await writeFile(output, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), sealed]));
console.log(`encrypted ${input} -> ${output} under ${dataKey.keyId}`);
