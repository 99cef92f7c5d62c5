/**
 * The reference server's app over a WIDER spec: spec/kms.yaml's operations plus synthetic
 * ones, to show that a request's cost does not grow with the number of operations (issue 14:
 * create-datakey with 30 operations within 5% of 6). Each synthetic operation is a real one:
 * its own path (listed before the real paths, the worst place for a router that scans), the
 * describe-key request and response schemas, and the describe-key handler.
 *
 *   node packages/bench/dist/wide-spec.js --port 0 --data-dir DIR --token-file FILE [--extra-operations 24]
 *
 * Same wiring as `openkms-server` for a request's path (SQLite store, token file, audit file,
 * pino request log on stdout at info, no response validation); prints `LISTENING <port>`.
 * `--extra-operations 0` gives the 6-operation app with the same wiring, for the comparison.
 * The root key comes from OPENKMS_ROOT_KEY (64 hex or 44 base64 characters) or is made for the run.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { KmsService, RootKey, SqliteKeyStore } from '@openkms/core';
import { createApp, createFileAuditSink, kmsApi, readTokenFile, TokenRegistry, type AppApi, type ApiDocument } from '@openkms/server';

const TEMPLATE_PATH = '/v1.0/{project_id}/kms/describe-key';

/** `api` plus `extra` operations shaped like describe-key, named `syntheticOperation<N>` at `/v1.0/{project_id}/kms/synthetic-<N>`. */
export function widenApi(api: AppApi, extra: number): AppApi {
  const template = api.operations.find((operation) => operation.path === TEMPLATE_PATH);
  const handler = template && api.handlers[template.operationId];
  const pathItem = api.document.paths[TEMPLATE_PATH];
  if (!template || !handler || !pathItem) throw new Error('the spec has no describe-key operation to copy');
  const synthetic = Array.from({ length: extra }, (_, index) => {
    const n = String(index + 1).padStart(2, '0');
    const operationId = `syntheticOperation${n}`;
    const operation = pathItem[template.method] as Record<string, unknown>;
    return {
      definition: { ...template, operationId, path: `/v1.0/{project_id}/kms/synthetic-${n}` },
      pathItem: { ...pathItem, [template.method]: { ...operation, operationId, summary: `Synthetic operation ${n} (describe-key)` } },
    };
  });
  const document: ApiDocument = {
    ...api.document,
    paths: { ...Object.fromEntries(synthetic.map((s) => [s.definition.path, s.pathItem])), ...api.document.paths },
  };
  return {
    document,
    operations: [...synthetic.map((s) => s.definition), ...api.operations],
    handlers: { ...api.handlers, ...Object.fromEntries(synthetic.map((s) => [s.definition.operationId, handler])) },
  };
}

const integer = (value: string): number => {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
};

async function main(): Promise<void> {
  const options = new Command('openkms-wide-spec')
    .requiredOption('--data-dir <dir>', 'directory for keys.sqlite and audit.log')
    .requiredOption('--token-file <file>', 'token file, as openkms-server reads it')
    .option('--port <n>', 'port (0: any free one)', integer, 0)
    .option('--extra-operations <n>', 'synthetic operations beside the spec’s own', integer, 24)
    .parse(process.argv)
    .opts<{ dataDir: string; tokenFile: string; port: number; extraOperations: number }>();
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const encodedRootKey = process.env['OPENKMS_ROOT_KEY'];
  const service = await KmsService.open({
    store: new SqliteKeyStore(join(options.dataDir, 'keys.sqlite')),
    rootKey: encodedRootKey ? RootKey.fromEncoded(encodedRootKey) : RootKey.generate(),
    region: 'bench-region-1',
    maxKeysPerProject: 1_000_000,
  });
  const audit = createFileAuditSink(join(options.dataDir, 'audit.log'));
  const logger = pino({ level: 'info' });
  const api = widenApi(kmsApi(service), options.extraOperations);
  const app = createApp({ service, tokens: new TokenRegistry(readTokenFile(options.tokenFile)), logger, audit, api });
  const server = createServer(app);
  server.listen(options.port, '127.0.0.1', () => {
    logger.info({ operations: api.operations.length }, 'wide-spec server listening');
    process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => void audit.close().then(() => process.exit(0))));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
