import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One cell of docs/key-states.md: allowed without a change, allowed moving to a state, or refused with a code. */
export type DocumentedCell =
  { readonly kind: 'ok' } | { readonly kind: 'to'; readonly state: string } | { readonly kind: 'refused'; readonly code: string };

/**
 * The operation × state table of docs/key-states.md, parsed, so that tests hold the code and
 * the document to the same answers. (Test-only: excluded from the build by tsconfig.build.json.)
 */
export function readKeyStatesTable(): Map<string, Map<string, DocumentedCell>> {
  const text = readFileSync(join(__dirname, '../../../../docs/key-states.md'), 'utf8');
  const lines = text.split('\n').filter((line) => line.startsWith('| '));
  const headerIndex = lines.findIndex((line) => /^\| operation \| 1 \| 2 \| 3 \| 4 \| 5 \|$/.test(line.trim()));
  if (headerIndex < 0) throw new Error('docs/key-states.md has no "| operation | 1 | 2 | 3 | 4 | 5 |" table');
  const table = new Map<string, Map<string, DocumentedCell>>();
  for (const line of lines.slice(headerIndex + 2)) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (cells.length !== 6) break;
    const [operation, ...byState] = cells;
    const row = new Map<string, DocumentedCell>();
    byState.forEach((cell, index) => row.set(String(index + 1), parseCell(cell)));
    table.set(operation!, row);
  }
  return table;
}

function parseCell(cell: string): DocumentedCell {
  if (cell === 'ok') return { kind: 'ok' };
  const move = /^→ ([1-5])$/.exec(cell);
  if (move) return { kind: 'to', state: move[1]! };
  if (/^KMS\.\d{4}$/.test(cell)) return { kind: 'refused', code: cell };
  throw new Error(`docs/key-states.md: unreadable cell "${cell}"`);
}
