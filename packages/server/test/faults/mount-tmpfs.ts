/** A small tmpfs mounted by a fault test, to fill a filesystem for real. Needs root (CI runs as root). */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Mounts a tmpfs of `sizeBytes` at `path` (created), owner-only. Fails with a clear message when not root: never skipped. */
export function mountTmpfs(path: string, sizeBytes: number): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `this fault test mounts a tmpfs to fill a filesystem, which needs root (uid 0); it runs as uid ${process.getuid?.()}. ` +
        'Run it as root (CI does), e.g. in a container.',
    );
  }
  mkdirSync(path, { recursive: true, mode: 0o700 });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', path]);
}

/** Unmounts `path`; lazily if a file on it is still open (a failed test), so no mount outlives the test run. */
export function unmount(path: string): void {
  try {
    execFileSync('umount', [path], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', path]);
  }
}
