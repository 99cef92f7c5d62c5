#!/usr/bin/env node
// Decrypts a file made by envelope-encrypt-file.mjs, with @openkms/client.
//
//   KMS_ENDPOINT=http://127.0.0.1:8080 KMS_PROJECT_ID=... KMS_TOKEN=... \
//     node envelope-decrypt-file.mjs report.pdf.enc report.pdf
//
// Everything needed is in the file's header: the KMS opens cipher_text (decrypt-datakey) under
// the same encryption_context, and the clear data key decrypts the file locally (AES-256-GCM).
// The header is the associated data, so any change to it, or to the file, makes this fail.
import { createDecipheriv } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createKmsClient, hexToBytes } from '@openkms/client';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node envelope-decrypt-file.mjs <encrypted file> <output file>');
  process.exit(2);
}
const kms = createKmsClient({ endpoint: process.env.KMS_ENDPOINT, projectId: process.env.KMS_PROJECT_ID, token: process.env.KMS_TOKEN });

const file = await readFile(input);
const newline = file.indexOf(0x0a);
const header = JSON.parse(file.subarray(0, newline).toString('utf8'));
if (header.format !== 'openkms-envelope-v1') throw new Error(`${input}: not an openkms-envelope-v1 file`);
const { format, key_id, cipher_text, encryption_context } = header;

const opened = await kms.decryptDatakey({
  key_id,
  cipher_text,
  // envelope-encrypt-file.mjs always makes 256-bit (32-byte) data keys.
  datakey_cipher_length: '32',
  encryption_context,
});
const dataKey = hexToBytes(opened.data_key);
let plain;
try {
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(header.iv, 'hex'));
  decipher.setAAD(Buffer.from(JSON.stringify({ format, key_id, cipher_text, encryption_context })));
  decipher.setAuthTag(Buffer.from(header.tag, 'hex'));
  plain = Buffer.concat([decipher.update(file.subarray(newline + 1)), decipher.final()]);
} finally {
  dataKey.fill(0);
}
await writeFile(output, plain);
console.log(`decrypted ${input} -> ${output} with ${key_id}`);
