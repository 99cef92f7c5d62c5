/**
 * Reading seed files: YAML or JSON (by extension), checked against SEED_SCHEMA with ajv. Every
 * refusal names the file, the line and the reason, and never repeats a value (key material).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { SEED_SCHEMA, type SeedDocument } from './seed-schema';

/** A seed that cannot be used; `message` is `<source>:<line>: <reason>`. */
export class SeedFileError extends Error {
  override readonly name = 'SeedFileError';
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${source}: ${reason}` : `${source}:${line}: ${reason}`);
  }
}

export interface ParsedSeed {
  readonly seed: SeedDocument;
  /** Line of each key's entry, in order, for errors found when the seed is applied. */
  readonly keyLines: readonly (number | undefined)[];
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
ajv.addVocabulary(['x-hint']);
const validateSeed = ajv.compile<SeedDocument>(SEED_SCHEMA);

/** Reads and checks a seed file: `.json` as JSON, anything else as YAML. */
export function loadSeedFile(path: string): ParsedSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SeedFileError(
      path,
      undefined,
      `cannot read the seed file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseSeed(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', path);
}

/** Parses and checks a seed's text; `source` names it in errors. */
export function parseSeed(text: string, format: 'json' | 'yaml', source: string): ParsedSeed {
  const lines = new LineCounter();
  // YAML 1.2 reads JSON too: the document gives every value's line, for schema errors in either format.
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  let data: unknown;
  if (format === 'json') {
    data = parseJson(text, source, document);
  } else {
    const [first] = document.errors;
    if (first) throw new SeedFileError(source, first.linePos?.[0].line, withoutSnippet(first.message));
    data = document.toJS();
  }
  if (!validateSeed(data)) {
    const error = firstError(validateSeed.errors!);
    throw new SeedFileError(source, lineOf(document, lines, errorPath(error)), describe(error));
  }
  const keyLines = data.keys.map((_, index) => lineOf(document, lines, ['keys', index]));
  checkUnique(data, 'key_id', source, keyLines);
  checkUnique(data, 'key_alias', source, keyLines);
  return { seed: data, keyLines };
}

function parseJson(text: string, source: string, document: Document): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text, (error as Error).message);
    const line = offset !== undefined ? lineAt(text, offset) : document.errors[0]?.linePos?.[0].line;
    // V8 quotes the source after the reason ('Unexpected token …, "…" is not valid JSON'): it may hold key material.
    const reason = (error as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    throw new SeedFileError(source, line, `invalid JSON: ${reason}`);
  }
}

/** V8's "in JSON at position N" of a parse error message, when it gives one. */
function positionIn(message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Where JSON.parse failed. V8 names the offset for most errors; for an unexpected token it does
 * not, and the offset is found as the shortest prefix that fails the same way (seeds are small).
 */
function jsonErrorOffset(text: string, message: string): number | undefined {
  const given = positionIn(message);
  if (given !== undefined) return given;
  if (!message.startsWith('Unexpected token')) return undefined;
  const failsAtToken = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const position = positionIn((error as Error).message);
      return (error as Error).message.startsWith('Unexpected token') || (position !== undefined && position < length);
    }
  };
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsAtToken(middle)) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < Math.min(offset, text.length); index += 1) if (text[index] === '\n') line += 1;
  return line;
}

/** The yaml reader's message without its " at line L, column C:" suffix and source excerpt. */
function withoutSnippet(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
}

/**
 * The error to report: a property's own rule (type, enum, pattern…) before the origin/state
 * rule's if/then/else, which would otherwise hide why a state is wrong.
 */
function firstError(errors: readonly ErrorObject[]): ErrorObject {
  const conditional = (error: ErrorObject) => error.keyword === 'if' || /\/(then|else)\//.test(error.schemaPath);
  return errors.find((error) => !conditional(error)) ?? errors.find((error) => error.keyword !== 'if') ?? errors[0]!;
}

/** Where an error points: the value at its instance path, or the offending property when it names one. */
function errorPath(error: ErrorObject): (string | number)[] {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const property = (error.params as { additionalProperty?: string }).additionalProperty;
  return property === undefined ? path : [...path, property];
}

function lineOf(document: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** One schema error in words, never with the value itself. */
function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the seed' : error.instancePath.slice(1).replace(/\//g, '.');
  const params = error.params as {
    additionalProperty?: string;
    allowedValues?: unknown[];
    allowedValue?: unknown;
    missingProperty?: string;
  };
  let reason: string;
  if (error.keyword === 'additionalProperties') reason = `unknown field ${params.additionalProperty}`;
  else if (error.keyword === 'enum') reason = `must be one of ${params.allowedValues!.map((value) => JSON.stringify(value)).join(', ')}`;
  else if (error.keyword === 'const') reason = `must be ${JSON.stringify(params.allowedValue)} here`;
  else if (error.keyword === 'false schema') reason = 'must be left out: a key of origin external is pending import and has no material';
  else reason = error.message ?? error.keyword;
  const hint = (error.parentSchema as { 'x-hint'?: string } | undefined)?.['x-hint'];
  return `${where} ${reason}${hint ? ` (${hint})` : ''}`;
}

function checkUnique(seed: SeedDocument, field: 'key_id' | 'key_alias', source: string, keyLines: readonly (number | undefined)[]): void {
  const seen = new Set<string>();
  seed.keys.forEach((key, index) => {
    if (seen.has(key[field])) throw new SeedFileError(source, keyLines[index], `keys.${index}.${field} repeats an earlier key's ${field}`);
    seen.add(key[field]);
  });
}

/** Checks a seed given as an object (startOpenKms's `seed` option) against the same schema; errors name no line. */
export function checkSeedObject(value: unknown, source: string): ParsedSeed {
  if (!validateSeed(value)) throw new SeedFileError(source, undefined, describe(firstError(validateSeed.errors!)));
  const keyLines = value.keys.map(() => undefined);
  checkUnique(value, 'key_id', source, keyLines);
  checkUnique(value, 'key_alias', source, keyLines);
  return { seed: value, keyLines };
}
