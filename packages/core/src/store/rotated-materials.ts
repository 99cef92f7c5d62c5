/**
 * A key's rotated materials (versions 2, 3, … each wrapped under a root key) as one column value,
 * for the SQL stores: each entry a u16 BE length then its bytes, in version order. NULL (no
 * rotation yet) and the empty list are the same. One encoding for SQLite and PostgreSQL, so a
 * compare-and-swap compares one value.
 */

/** The column value of a list: null when it is empty. */
export function encodeRotatedMaterials(materials: readonly Buffer[]): Buffer | null {
  if (materials.length === 0) return null;
  const parts: Buffer[] = [];
  for (const material of materials) {
    if (material.length > 0xffff) throw new Error('a wrapped material version is longer than 65535 bytes');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(material.length);
    parts.push(length, material);
  }
  return Buffer.concat(parts);
}

/** The list a column value holds; a damaged value (a length past its end) is an error, never a shorter list. */
export function decodeRotatedMaterials(column: Buffer | null): Buffer[] {
  const materials: Buffer[] = [];
  if (column === null) return materials;
  for (let offset = 0; offset < column.length;) {
    if (offset + 2 > column.length) throw new Error('stored rotated key materials are damaged');
    const length = column.readUInt16BE(offset);
    const end = offset + 2 + length;
    if (end > column.length) throw new Error('stored rotated key materials are damaged');
    materials.push(Buffer.from(column.subarray(offset + 2, end)));
    offset = end;
  }
  return materials;
}
