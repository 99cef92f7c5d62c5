/**
 * Baseline 2, the framework floor: a plain Express 5 route with express.json() doing the
 * create-datakey crypto; no validation, auth, store or logging. Prints its port.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { baselineKey, makeDataKey } from './datakey-crypto';

const key = baselineKey();
const app = express();
app.use(express.json());
app.post('/v1.0/:project_id/kms/create-datakey', (req, res) => {
  const body = req.body as { datakey_length: string; encryption_context?: Record<string, string> };
  res.json(makeDataKey(key, body.datakey_length, body.encryption_context));
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
