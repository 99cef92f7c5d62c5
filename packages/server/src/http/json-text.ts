import { visit } from 'jsonc-parser';
import { KmsError } from '@openkms/core';

// fatal: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD, so two different
// bodies (`{"a":"\xff"}`, `{"a":"\xfe"}`) can never read as the same text. A leading BOM is dropped.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A request body's bytes as one JSON value, strictly: UTF-8 only, RFC 8259 syntax
 * (`JSON.parse`), and no object with the same key twice at any depth. Either would let two
 * different bodies mean the same thing, or a later field silently win over an earlier one,
 * which a KMS must not allow for an encryption context or an alias; each is 400 KMS.0202.
 * (A `"\ud800"` escape is valid JSON; the fields that bind it refuse it, e.g. KMS.0208 for a context.)
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
  if (hasDuplicateKey(text)) throw new KmsError('KMS.0202', 'The request body has an object with a duplicate key.');
  return value;
}

/**
 * Whether (syntactically valid) JSON text has an object with a key twice. jsonc-parser's
 * visitor hands over each key already unescaped, so `"a"` and `"\u0061"` are the same key.
 */
function hasDuplicateKey(text: string): boolean {
  // Only objects have keys.
  if (!text.includes('{')) return false;
  const open: Array<Set<string>> = [];
  let duplicate = false;
  visit(
    text,
    {
      onObjectBegin: () => void open.push(new Set()),
      onObjectEnd: () => void open.pop(),
      onObjectProperty: (key) => {
        const keys = open[open.length - 1];
        if (keys?.has(key)) duplicate = true;
        keys?.add(key);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return duplicate;
}
