import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Why an audit line was not written: the OS error (ENOSPC, EIO, EACCES…), never the line. */
export class AuditWriteError extends Error {
  readonly code: string | undefined;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`cannot write the audit log ${path}: ${code ?? (cause as Error | undefined)?.message ?? String(cause)}`);
    this.name = 'AuditWriteError';
    this.code = code;
  }
}

const NEWLINE = 0x0a;

/**
 * Closes off a line a crash or a full disk cut short, so that the next record starts a line of
 * its own: the fragment stays as it was (it is evidence), and this record says what it is.
 */
function tornLineMarker(): string {
  return `${JSON.stringify({ type: 'torn-line', time: Date.now(), detail: 'the line before this one was cut short mid-write; it is not a record' })}\n`;
}

/**
 * An append-only file of JSON lines (mode 0600), written with write(2) on the caller's thread:
 * when `append` returns, the line is in the operating system's hands (it survives a crash of
 * this process; fsync happens on reopen and close only, so power loss may lose the last lines).
 * Every failure is thrown to the caller of `append`; nothing is buffered, nothing emits events.
 *
 * A torn line (the file does not end with a newline: a crash mid-write, or a write the disk
 * could only take part of) is never continued: the next append first ends it and writes a
 * `torn-line` marker. A partial write of this process is taken back instead when the file
 * still ends with exactly that fragment, so a full disk leaves no broken line.
 */
export class AuditFile {
  readonly path: string;
  #fd: number | undefined;
  #endsMidLine = false;

  /** Opens (creating) the file; throws when it cannot be opened, a misconfiguration to report at start. */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#fd = this.#open();
  }

  /** Whether the file was found to end mid-line and has not been closed off yet. */
  get endsMidLine(): boolean {
    return this.#endsMidLine;
  }

  /** Appends `line` (one JSON line, newline included), or `''` to only close off a torn line. Throws AuditWriteError. */
  append(line: string): void {
    let fd = this.#fd;
    if (fd === undefined) {
      try {
        fd = this.#fd = this.#open();
      } catch (error) {
        throw new AuditWriteError(this.path, error);
      }
    }
    const text = this.#endsMidLine ? `\n${tornLineMarker()}${line}` : line;
    if (text === '') return;
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) {
        const count = writeSync(fd, bytes, written);
        if (count <= 0) throw new Error('write(2) wrote nothing');
        written += count;
      }
    } catch (error) {
      if (written > 0) this.#takeBack(fd, bytes.subarray(0, written));
      throw new AuditWriteError(this.path, error);
    }
    this.#endsMidLine = false;
  }

  /** Opens the file at its path again (logrotate moved it away): the old descriptor is synced and closed. */
  reopen(): void {
    this.#closeDescriptor();
    try {
      this.#fd = this.#open();
    } catch (error) {
      // The next append tries again, and fails closed until it can.
      throw new AuditWriteError(this.path, error);
    }
  }

  close(): void {
    this.#closeDescriptor();
  }

  #open(): number {
    const fd = openSync(this.path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
    try {
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      this.#endsMidLine = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== NEWLINE;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return fd;
  }

  /**
   * Removes the fragment a failed write left, if the file still ends with it (no other process
   * appended since); otherwise the file now ends mid-line, and the next append closes it off.
   */
  #takeBack(fd: number, fragment: Buffer): void {
    try {
      const size = fstatSync(fd).size;
      const tail = Buffer.alloc(fragment.length);
      if (
        size >= fragment.length &&
        readSync(fd, tail, 0, fragment.length, size - fragment.length) === fragment.length &&
        tail.equals(fragment)
      ) {
        ftruncateSync(fd, size - fragment.length);
        return;
      }
    } catch {
      // Fall through: treat the file as torn.
    }
    this.#endsMidLine = true;
  }

  #closeDescriptor(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      fsyncSync(fd);
    } catch {
      // A failing disk must not stop a reopen or a shutdown.
    }
    closeSync(fd);
  }
}
