/**
 * Canonical, length-prefixed encoding of an encryption context, bound as associated data.
 *
 * u32 BE pair count, then for each pair sorted by the UTF-8 bytes of its key:
 * u32 BE key length, key bytes, u32 BE value length, value bytes.
 * Length prefixes make the encoding injective: {"ab":"c"} and {"a":"bc"} differ.
 * An absent context and an empty one encode the same (count 0).
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export function encodeEncryptionContext(context: EncryptionContext | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).map(([key, value]) => {
    if (typeof value !== 'string') throw new TypeError('encryption_context values must be strings');
    return [Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8')] as const;
  });
  pairs.sort(([a], [b]) => Buffer.compare(a, b));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [key, value] of pairs) parts.push(u32(key.length), key, u32(value.length), value);
  return Buffer.concat(parts);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}
