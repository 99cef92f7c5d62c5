/**
 * One self-rewriting status line on a terminal: `[12/70] CK-ALIAS-LEN-256 (1 failed)`. Only
 * used when stderr is a TTY; cleared before the report is printed.
 */
export class Progress {
  readonly #write: (text: string) => void;
  #failed = 0;
  #shown = false;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  start(checkId: string, index: number, total: number): void {
    const failed = this.#failed > 0 ? ` (${this.#failed} failed)` : '';
    this.#write(`\r\x1b[2K[${index + 1}/${total}] ${checkId}${failed}`);
    this.#shown = true;
  }

  finish(outcome: string): void {
    if (outcome === 'failed') this.#failed += 1;
  }

  clear(): void {
    if (this.#shown) this.#write('\r\x1b[2K');
    this.#shown = false;
  }
}
