/**
 * Baseline 2, the framework floor: plain Express 5 routes with express.json() doing the
 * crypto of create-datakey, encrypt-data and decrypt-data; no validation, auth, store or
 * logging. Prints its port.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { decryptData, encryptData, type DataRequest } from './data-crypto';
import { baselineKey, makeDataKey } from './datakey-crypto';

const key = baselineKey();
const app = express();
app.use(express.json());
app.post('/v1.0/:project_id/kms/create-datakey', (req, res) => {
  const body = req.body as { datakey_length: string; encryption_context?: Record<string, string> };
  res.json(makeDataKey(key, body.datakey_length, body.encryption_context));
});
app.post('/v1.0/:project_id/kms/encrypt-data', (req, res) => {
  res.json(encryptData(key, req.body as DataRequest));
});
app.post('/v1.0/:project_id/kms/decrypt-data', (req, res) => {
  try {
    res.json(decryptData(key, req.body as DataRequest));
  } catch {
    res.status(400).end();
  }
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
