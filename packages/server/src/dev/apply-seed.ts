import { KeyState, type KmsService, type Scope, type SeedKeyInput } from '@openkms/core';
import { SeedFileError, type ParsedSeed } from './seed-file';
import type { SeedFileKey } from './seed-schema';

export interface SeedOutcome {
  readonly created: number;
  readonly unchanged: number;
}

function seedKeyInput(key: SeedFileKey): SeedKeyInput {
  return {
    keyId: key.key_id,
    keyAlias: key.key_alias,
    keyDescription: key.key_description,
    origin: key.origin,
    keyState: key.key_state === '5' ? KeyState.PendingImport : key.key_state === '2' ? KeyState.Enabled : undefined,
    material: key.key_material === undefined ? undefined : Buffer.from(key.key_material, 'hex'),
  };
}

/**
 * Creates the seed's keys in `scope`, in order. Keys that already exist as the seed says are
 * left alone, so a seed may be applied to the same store at every start; a conflicting key
 * stops the start with its seed line.
 */
export async function applySeed(service: KmsService, scope: Scope, { seed, keyLines }: ParsedSeed, source: string): Promise<SeedOutcome> {
  let created = 0;
  let unchanged = 0;
  for (const [index, key] of seed.keys.entries()) {
    const input = seedKeyInput(key);
    try {
      if ((await service.seedKey(scope, input)) === 'created') created += 1;
      else unchanged += 1;
    } catch (error) {
      if ((error as Error).name !== 'SeedConflictError') throw error;
      throw new SeedFileError(source, keyLines[index], (error as Error).message);
    } finally {
      input.material?.fill(0);
    }
  }
  return { created, unchanged };
}
