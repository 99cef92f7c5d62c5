import { KEY_ALIAS_PATTERN, KEY_DESCRIPTION_MAX_CHARS, KEY_ID_PATTERN } from '@openkms/core';

/**
 * The JSON Schema of a seed file (YAML or JSON): the keys a dev server (or startOpenKms) creates
 * at start, with fixed IDs and optionally fixed material. `x-hint` is shown after a failure on
 * its property. Field names follow the API's (create-key, describe-key).
 */
export const SEED_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key_id', 'key_alias'],
        properties: {
          key_id: { type: 'string', pattern: KEY_ID_PATTERN.source, 'x-hint': 'a 36-character lower-case UUID' },
          key_alias: { type: 'string', pattern: KEY_ALIAS_PATTERN.source, 'x-hint': 'as create-key takes it' },
          key_description: { type: 'string', maxLength: KEY_DESCRIPTION_MAX_CHARS },
          origin: { type: 'string', enum: ['kms', 'external'] },
          key_state: {
            type: 'string',
            enum: ['2', '5'],
            'x-hint': 'a seed creates keys enabled ("2", origin kms) or pending import ("5", origin external); quote it in YAML',
          },
          key_material: {
            type: 'string',
            pattern: '^[0-9a-fA-F]{64}$',
            'x-hint': '64 hex characters (32 bytes); origin kms only',
          },
        },
        // The states the service itself reaches: origin external is pending import and has no material; origin kms is enabled.
        if: { required: ['origin'], properties: { origin: { const: 'external' } } },
        then: { properties: { key_state: { const: '5' }, key_material: false } },
        else: { properties: { key_state: { const: '2' } } },
      },
    },
  },
} as const;

/** A seed key as the file spells it. */
export interface SeedFileKey {
  readonly key_id: string;
  readonly key_alias: string;
  readonly key_description?: string;
  readonly origin?: 'kms' | 'external';
  readonly key_state?: '2' | '5';
  /** 64 hex characters. */
  readonly key_material?: string;
}

/** A seed: what a seed file holds, or what a test gives startOpenKms directly. */
export interface SeedDocument {
  readonly keys: readonly SeedFileKey[];
}
