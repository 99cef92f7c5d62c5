/**
 * Baseline 1, the ceiling for Node: a bare node:http server that reads the JSON body and
 * does the create-datakey crypto. Started as its own process by the bench; prints its port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { baselineKey, makeDataKey } from './datakey-crypto';

const key = baselineKey();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        datakey_length: string;
        encryption_context?: Record<string, string>;
      };
      const payload = JSON.stringify(makeDataKey(key, body.datakey_length, body.encryption_context));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
      res.end(payload);
    } catch {
      res.writeHead(400).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
