import { visit } from 'jsonc-parser';
import { KmsError } from '@openkms/core';

// fatal: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD, so two different
// bodies (`{"a":"\xff"}`, `{"a":"\xfe"}`) can never read as the same text. A leading BOM is dropped.
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units: no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A request body's bytes as one JSON value, strictly: UTF-8 only, RFC 8259 syntax
 * (`JSON.parse`), no object with the same key twice at any depth, and no string (key or value)
 * holding a lone surrogate escape such as `"\ud800"`. Each of these would let two different
 * bodies mean the same thing (or a later field silently win), which a KMS must not allow for
 * an encryption context or an alias; each is 400 KMS.0202.
 */
export function parseStrictJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new KmsError('KMS.0202', 'The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KmsError('KMS.0202');
  }
  const problem = ambiguity(text);
  if (problem) throw new KmsError('KMS.0202', problem);
  return value;
}

/**
 * What in (syntactically valid) JSON text could be read two ways: a duplicate key or a lone
 * surrogate. jsonc-parser's visitor hands over each key and string already unescaped, so
 * `"a"` and `"\u0061"` are the same key.
 */
function ambiguity(text: string): string | undefined {
  // Only objects and strings matter; a body without either has nothing to check.
  if (!text.includes('"')) return undefined;
  const open: Array<Set<string>> = [];
  let problem: string | undefined;
  visit(
    text,
    {
      onObjectBegin: () => void open.push(new Set()),
      onObjectEnd: () => void open.pop(),
      onObjectProperty: (key) => {
        const keys = open[open.length - 1];
        if (LONE_SURROGATE.test(key)) problem ??= 'The request body has a key with an unpaired surrogate.';
        else if (keys?.has(key)) problem ??= 'The request body has an object with a duplicate key.';
        keys?.add(key);
      },
      onLiteralValue: (value: unknown) => {
        if (typeof value === 'string' && LONE_SURROGATE.test(value))
          problem ??= 'The request body has a string with an unpaired surrogate.';
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return problem;
}
