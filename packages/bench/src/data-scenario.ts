import { randomBytes } from 'node:crypto';
import type { Target } from './processes';
import type { MeasuredRow } from './scenarios';

/** The plaintext of each encrypt-data request: 4096 bytes, the most the API takes ("1 to 4096 bytes"). */
export const DATA_PLAINTEXT_BYTES = 4096;
/** Distinct plaintexts the load cycles through, made ahead so the load generator spends no CPU on them. */
const PLAINTEXTS = 64;
/** Ciphertexts sealed ahead for the decrypt-data load (each is decrypted many times in a run). */
export const SEALED_CIPHERTEXTS = 100;
/** The context every data request binds (the create-datakey rows send the same pair). */
const CONTEXT = { bench: 'yes' } as const;

/** One request of a load: its path and a fresh body per request. */
export interface DataLoad {
  readonly path: string;
  readonly body: () => string;
}

/** Measures one scenario under a load on a running target (run-bench's measure with its options). */
export type MeasureLoad = (scenario: string, target: Target, load: DataLoad) => Promise<MeasuredRow>;

/** Sends one encrypt-data body to the target and returns its `cipher_text` (throws on any other answer). */
export type SealOne = (target: Target, path: string, body: string) => Promise<string>;

export interface DataScenarioNames {
  readonly encrypt: string;
  readonly decrypt: string;
}

/** `count` random printable ASCII texts of exactly 4096 characters, so 4096 bytes once encoded as UTF-8. */
export function dataPlaintexts(count = PLAINTEXTS): string[] {
  // base64url: 3 bytes -> 4 ASCII characters, no padding for a multiple of 3.
  return Array.from({ length: count }, () => randomBytes((DATA_PLAINTEXT_BYTES / 4) * 3).toString('base64url'));
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** encrypt-data bodies: 4 KB of text under one of the keys, with the bench's context. */
export function encryptDataBody(keyIds: readonly string[], plaintexts: readonly string[] = dataPlaintexts()): () => string {
  return () => JSON.stringify({ key_id: pick(keyIds), plain_text: pick(plaintexts), encryption_context: CONTEXT });
}

/** decrypt-data bodies: one of the sealed ciphertexts, with the context it was sealed under. */
export function decryptDataBody(ciphertexts: readonly string[]): () => string {
  if (ciphertexts.length === 0) throw new Error('no ciphertexts to decrypt');
  return () => JSON.stringify({ cipher_text: pick(ciphertexts), encryption_context: CONTEXT });
}

/** encrypt-data through `fetch`, with the caller's headers (the bench's token, or none for a baseline). */
export function sealOverHttp(headers: Readonly<Record<string, string>>): SealOne {
  return async (target, path, body) => {
    const res = await fetch(`${target.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    if (res.status !== 200) throw new Error(`encrypt-data answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { cipher_text: string }).cipher_text;
  };
}

/**
 * The encrypt-data and decrypt-data rows on one target: encrypt-data of 4 KB under the given
 * keys, then decrypt-data of ciphertexts the target itself sealed beforehand (sequentially, not
 * timed), so every decrypt opens a real 4 KB ciphertext of a key the target holds.
 */
export async function dataRows(
  names: DataScenarioNames,
  target: Target,
  projectPath: string,
  keyIds: readonly string[],
  measure: MeasureLoad,
  seal: SealOne,
): Promise<MeasuredRow[]> {
  const encryptPath = `${projectPath}/encrypt-data`;
  const encryptBody = encryptDataBody(keyIds);
  const encrypted = await measure(names.encrypt, target, { path: encryptPath, body: encryptBody });
  const ciphertexts: string[] = [];
  for (let n = 0; n < SEALED_CIPHERTEXTS; n++) ciphertexts.push(await seal(target, encryptPath, encryptBody()));
  const decrypted = await measure(names.decrypt, target, { path: `${projectPath}/decrypt-data`, body: decryptDataBody(ciphertexts) });
  return [encrypted, decrypted];
}
