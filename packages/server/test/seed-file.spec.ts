import fc from 'fast-check';
import { parseSeed, SeedFileError } from '../src/dev/seed-file';

const MATERIAL = 'ab'.repeat(32);
const KEY_ID = '5f1a9c2e-3b4d-4e6f-8a7b-9c0d1e2f3a4b';

/** The SeedFileError `parse` throws; fails the test when it does not throw one. */
function refusal(text: string, format: 'json' | 'yaml' = 'yaml'): SeedFileError {
  try {
    parseSeed(text, format, 'seed.file');
  } catch (error) {
    expect(error).toBeInstanceOf(SeedFileError);
    expect((error as Error).message).not.toContain(MATERIAL);
    return error as SeedFileError;
  }
  throw new Error('the seed was accepted');
}

const yamlKey = (extra = '') => `keys:\n  - key_id: ${KEY_ID}\n    key_alias: a\n${extra}`;

describe('parseSeed', () => {
  it('reads YAML and JSON into the same seed', () => {
    const json = JSON.stringify({ keys: [{ key_id: KEY_ID, key_alias: 'a', key_material: MATERIAL }] }, null, 2);
    const fromJson = parseSeed(json, 'json', 'seed.json');
    const fromYaml = parseSeed(yamlKey(`    key_material: ${MATERIAL}\n`), 'yaml', 'seed.yaml');
    expect(fromYaml.seed).toEqual(fromJson.seed);
    expect(fromYaml.keyLines).toEqual([2]);
    expect(fromJson.keyLines).toEqual([3]);
  });

  it.each([
    ['a YAML syntax error', `keys:\n  - key_id: ${KEY_ID}\n    key_alias: [a\n`, 4, /sufficiently indented|end with a \]/],
    ['a repeated YAML field', yamlKey('    key_alias: b\n'), 4, /Map keys must be unique/],
    [
      'an unsupported state',
      yamlKey("    key_state: '3'\n"),
      4,
      /keys\.0\.key_state must be one of "2", "5" \(a seed creates keys enabled/,
    ],
    ['an unquoted state', yamlKey('    key_state: 2\n'), 4, /keys\.0\.key_state must be string/],
    ['a missing alias', `keys:\n  - key_id: ${KEY_ID}\n`, 2, /keys\.0 must have required property 'key_alias'/],
    ['an unknown field', yamlKey('    key_spec: AES_256\n'), 4, /unknown field key_spec/],
    [
      'short key material',
      yamlKey(`    key_material: ${MATERIAL.slice(2)}\n`),
      4,
      /key_material must match pattern .* \(64 hex characters/,
    ],
    ['material on an external key', yamlKey(`    origin: external\n    key_material: ${MATERIAL}\n`), 5, /key_material must be left out/],
    ['an external key said enabled', yamlKey("    origin: external\n    key_state: '2'\n"), 5, /key_state must be "5" here/],
    ['a bad key ID', 'keys:\n  - key_id: ABC\n    key_alias: a\n', 2, /key_id must match pattern .* \(a 36-character lower-case UUID\)/],
    ['a repeated key ID', `${yamlKey()}  - key_id: ${KEY_ID}\n    key_alias: b\n`, 4, /keys\.1\.key_id repeats/],
    ['a repeated alias', `${yamlKey()}  - key_id: ${KEY_ID.replace('5f', '6f')}\n    key_alias: a\n`, 4, /keys\.1\.key_alias repeats/],
    ['no keys list', 'key: []\n', 1, /unknown field key|required property 'keys'/],
  ])('refuses %s with its line and reason', (_name, text, line, reason) => {
    const error = refusal(text);
    expect({ line: error.line, message: error.message }).toEqual({ line, message: expect.stringMatching(reason) });
    expect(error.message.startsWith(`seed.file:${line}: `)).toBe(true);
  });

  it.each([
    [
      'a missing comma',
      `{\n  "keys": [\n    {"key_id": "${KEY_ID}"\n     "key_alias": "a"}\n  ]\n}`,
      4,
      /invalid JSON: Expected ',' or '}'/,
    ],
    ['an unexpected token', `{\n  "keys": [\n    {"key_material": "${MATERIAL}", "key_id": }\n  ]\n}`, 3, /invalid JSON: Unexpected token/],
    [
      'a schema error',
      `{\n  "keys": [\n    {\n      "key_id": "${KEY_ID}",\n      "key_alias": "a",\n      "key_state": "4"\n    }\n  ]\n}`,
      6,
      /key_state must be one of/,
    ],
  ])('refuses JSON with %s with its line and reason, never quoting the text', (_name, text, line, reason) => {
    const error = refusal(text, 'json');
    expect({ line: error.line, message: error.message }).toEqual({ line, message: expect.stringMatching(reason) });
  });
});

describe('parseSeed on any text (fast-check; a failure prints its seed, replay with { seed, path })', () => {
  const valid = `keys:\n  - key_id: ${KEY_ID}\n    key_alias: a\n    key_material: ${MATERIAL}\n`;
  /** A valid seed with one random edit: cut, inserted or replaced characters, in either format. */
  const edited = fc.tuple(
    fc.constantFrom<['yaml' | 'json', string]>(['yaml', valid], ['json', JSON.stringify(parseSeed(valid, 'yaml', 's').seed, null, 2)]),
    fc.nat(),
    fc.nat({ max: 8 }),
    fc.string({ maxLength: 8, unit: fc.constantFrom(...'{}[]:,"\'- \n\tkeyabc0123') }),
  );

  it('either accepts or refuses with a SeedFileError whose line is in the file, never quoting key material', () => {
    fc.assert(
      fc.property(edited, ([[format, text], at, cut, insert]) => {
        const start = at % (text.length + 1);
        const changed = text.slice(0, start) + insert + text.slice(start + cut);
        try {
          parseSeed(changed, format, 'seed.file');
        } catch (error) {
          if (!(error instanceof SeedFileError)) throw error;
          expect(error.message).not.toContain(MATERIAL.slice(0, 16));
          if (error.line !== undefined) expect(error.line).toBeGreaterThanOrEqual(1);
          if (error.line !== undefined) expect(error.line).toBeLessThanOrEqual(changed.split('\n').length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
