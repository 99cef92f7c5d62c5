import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Fills a stopped server's SQLite store with `count` extra keys, spread over 1000 other
 * projects of the same domain, in one transaction. These keys are never used (their wrapped
 * material is random); they only make the tables and indexes as large as a big deployment's.
 * Going through the server would take one fsync per key, hours for a million.
 */
export function addFillerKeys(storePath: string, domainId: string, count: number): void {
  const db = new Database(storePath);
  try {
    const insert = db.prepare(
      `INSERT INTO keys (key_id, domain_id, project_id, key_alias, key_description, origin, key_state,
                         enterprise_project_id, creation_date, wrapped_material)
       VALUES (?, ?, ?, ?, '', 'kms', '2', '0', ?, ?)`,
    );
    const projects = Array.from({ length: 1000 }, () => randomBytes(16).toString('hex'));
    const material = randomBytes(count * 60);
    db.transaction(() => {
      for (let n = 0; n < count; n++) {
        insert.run(
          randomUUID(),
          domainId,
          projects[n % projects.length],
          `filler/${n}`,
          Date.now(),
          material.subarray(n * 60, n * 60 + 60),
        );
      }
    })();
  } finally {
    db.close();
  }
}
