import type { LoadFigures } from './load';

/**
 * The names of the bench's table rows. The targets find their rows by these names, so a
 * renamed scenario cannot silently drop out of a verdict.
 */
export const SCENARIO = {
  nodeHttp: 'baseline node:http create-datakey',
  express: 'baseline express create-datakey',
  datakey: 'openkms create-datakey (10 keys)',
  createKey: 'openkms create-key',
  steady: (rate: number) => `openkms create-datakey at ${rate}/s`,
  wideSpec: 'openkms create-datakey, 30-operation spec',
  /** The 6-operation server measured in turns with the 30-operation one (see wide-spec-scenario). */
  sixSpecPaired: 'openkms create-datakey, 6 operations, paired',
  workers: (count: number) => `openkms create-datakey, ${count} workers`,
  largeStore: (keys: number) => `openkms create-datakey (${keys} keys)`,
  /** Requests signed with an access key (SDK-HMAC-SHA256), measured in turns with tokenPaired on one server. */
  akskSigning: 'openkms create-datakey, AK/SK signing',
  /** The same requests with a token instead, on the same server, paired with akskSigning (see access-key-scenario). */
  tokenPaired: 'openkms create-datakey, token (AK/SK pair)',
  /** encrypt-data of 4096 bytes (the API's most) and decrypt-data of such ciphertexts (see data-scenario). */
  encryptData4k: 'openkms encrypt-data 4 KB',
  decryptData4k: 'openkms decrypt-data 4 KB',
  nodeHttpEncryptData4k: 'baseline node:http encrypt-data 4 KB',
  nodeHttpDecryptData4k: 'baseline node:http decrypt-data 4 KB',
  expressEncryptData4k: 'baseline express encrypt-data 4 KB',
  expressDecryptData4k: 'baseline express decrypt-data 4 KB',
} as const;

/**
 * Scenarios the table lists but the bench cannot run yet, and why (none now: a scenario still
 * to be written goes here, so the table shows it is missing).
 */
export const PLANNED: ReadonlyArray<{ readonly scenario: string; readonly reason: string }> = [];

export interface MeasuredRow extends LoadFigures {
  readonly scenario: string;
  readonly status: 'measured';
  readonly peakRssMb: number;
}

export interface NotRunRow {
  readonly scenario: string;
  readonly status: 'not run';
  readonly reason: string;
}

export type Row = MeasuredRow | NotRunRow;

export const notRun = (scenario: string, reason: string): NotRunRow => ({ scenario, status: 'not run', reason });
