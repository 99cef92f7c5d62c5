/**
 * The audit file on a filesystem that fills mid-line (a tmpfs of two pages): a write the disk can
 * take only part of is taken back, so the file never holds a broken line, and appends work again
 * once there is room.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditFile, AuditWriteError } from '../../src/audit/audit-file';
import { mountTmpfs, unmount } from './mount-tmpfs';

let work: string;
let mountPoint: string | undefined;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'openkms-audit-file-'));
  mountTmpfs(join(work, 'mnt'), 8192);
  mountPoint = join(work, 'mnt');
});
afterAll(() => {
  if (mountPoint) unmount(mountPoint);
  rmSync(work, { recursive: true, force: true });
});

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(2500) })}\n`;

it('takes back a partial write on a full disk, and appends again once there is room', () => {
  const filler = join(mountPoint!, 'filler');
  writeFileSync(filler, Buffer.alloc(2048));
  const file = new AuditFile(join(mountPoint!, 'audit.log'));
  try {
    appendUntilFullThenRecover(file, filler);
  } finally {
    file.close();
  }
});

function appendUntilFullThenRecover(file: AuditFile, filler: string): void {
  const written: string[] = [];
  let failure: unknown;
  // Bounded: the tmpfs holds at most 3 such lines.
  for (let n = 0; n < 10 && failure === undefined; n++) {
    try {
      file.append(line(n));
      written.push(line(n));
    } catch (error) {
      failure = error;
    }
  }
  expect(failure).toBeInstanceOf(AuditWriteError);
  expect((failure as AuditWriteError).code).toBe('ENOSPC');
  expect(written.length).toBeGreaterThan(0);
  // Nothing of the failed line is left: the file is exactly the lines that were written whole.
  expect(readFileSync(join(mountPoint!, 'audit.log'), 'utf8')).toBe(written.join(''));
  expect(file.endsMidLine).toBe(false);

  unlinkSync(filler);
  file.append(line(99));
  expect(readFileSync(join(mountPoint!, 'audit.log'), 'utf8')).toBe([...written, line(99)].join(''));
  expect(statSync(join(mountPoint!, 'audit.log')).mode & 0o777).toBe(0o600);
}
