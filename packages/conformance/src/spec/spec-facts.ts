import type { OpenApiDocument } from './load-spec';

/**
 * KMS codes the spec names only in prose (response descriptions, info.description) and
 * docs/errors.md states in its table. Field-level codes are NOT here: they are read from
 * each field's `x-kms-error-code`, so a spec change moves the kit with it.
 */
export const KMS_CODES = {
  noSuchApi: 'KMS.0201',
  malformedJson: 'KMS.0202',
  bodyTooLarge: 'KMS.0203',
  missingParameter: 'KMS.0204',
  keyNotFound: 'KMS.0207',
  methodNotAllowed: 'KMS.0215',
  tokenMissing: 'KMS.0301',
  tokenInvalid: 'KMS.0302',
  tokenWrongProject: 'KMS.0305',
  invalidParameter: 'KMS.0308',
  pendingImport: 'KMS.0310',
  duplicateAlias: 'KMS.1104',
  datakeyLengthNotMultiple: 'KMS.1903',
} as const;

export interface DatakeyLengthRule {
  readonly min: number;
  readonly max: number;
  readonly multipleOf: number;
}

/** The rules of the request schemas, read from the spec (including its `x-kms-*` extensions). */
export class SpecFacts {
  readonly #schemas: OpenApiDocument['components']['schemas'];

  constructor(document: OpenApiDocument) {
    this.#schemas = document.components.schemas;
  }

  /** The `x-kms-error-code` of a request field (through a `$ref`, e.g. `sequence`). */
  fieldErrorCode(schemaName: 'CreateKeyRequest' | 'CreateDatakeyRequest', field: string): string {
    const code = this.#field(schemaName, field)['x-kms-error-code'];
    if (typeof code !== 'string') throw new Error(`spec: ${schemaName}.${field} has no x-kms-error-code`);
    return code;
  }

  datakeyLength(): DatakeyLengthRule {
    const field = this.#field('CreateDatakeyRequest', 'datakey_length');
    const number = (name: string): number => {
      const value = field[name];
      if (typeof value !== 'number') throw new Error(`spec: CreateDatakeyRequest.datakey_length has no numeric ${name}`);
      return value;
    };
    return { min: number('x-kms-minimum'), max: number('x-kms-maximum'), multipleOf: number('x-kms-multiple-of') };
  }

  encryptionContextMaxChars(): number {
    const value = this.#field('CreateDatakeyRequest', 'encryption_context')['x-kms-max-serialized-length'];
    if (typeof value !== 'number') throw new Error('spec: encryption_context has no x-kms-max-serialized-length');
    return value;
  }

  maxLength(schemaName: 'CreateKeyRequest' | 'CreateDatakeyRequest', field: string): number {
    const value = this.#field(schemaName, field).maxLength;
    if (typeof value !== 'number') throw new Error(`spec: ${schemaName}.${field} has no maxLength`);
    return value;
  }

  /** The `KeyId` schema's pattern: what a key ID looks like. */
  keyIdPattern(): RegExp {
    const pattern = this.#schemas.KeyId?.pattern;
    if (typeof pattern !== 'string') throw new Error('spec: KeyId has no pattern');
    return new RegExp(pattern);
  }

  /** Every value of an enum field, e.g. `origin`. */
  enumValues(schemaName: 'CreateKeyRequest', field: string): string[] {
    const values = this.#field(schemaName, field).enum;
    if (!Array.isArray(values)) throw new Error(`spec: ${schemaName}.${field} has no enum`);
    return values.map(String);
  }

  #field(schemaName: string, field: string): Record<string, unknown> {
    const properties = this.#schemas[schemaName]?.properties as Record<string, Record<string, unknown>> | undefined;
    let property = properties?.[field];
    if (typeof property?.$ref === 'string') property = this.#schemas[property.$ref.replace('#/components/schemas/', '')];
    if (!property) throw new Error(`spec: ${schemaName} has no field ${field}`);
    return property;
  }
}
