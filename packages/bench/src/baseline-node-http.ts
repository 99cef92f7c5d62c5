/**
 * Baseline 1, the ceiling for Node: a bare node:http server that reads the JSON body and
 * does the crypto of create-datakey, encrypt-data or decrypt-data (by the path's last
 * segment). Started as its own process by the bench; prints its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptData, encryptData, type DataRequest } from './data-crypto';
import { baselineKey, makeDataKey } from './datakey-crypto';

const key = baselineKey();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DataRequest & { datakey_length: string };
      const url = req.url ?? '';
      const answer = url.endsWith('/encrypt-data')
        ? encryptData(key, body)
        : url.endsWith('/decrypt-data')
          ? decryptData(key, body)
          : makeDataKey(key, body.datakey_length, body.encryption_context);
      const payload = JSON.stringify(answer);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
      res.end(payload);
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
