// A progress bar on stderr for large inputs, only when stderr is a terminal.

const WIDTH = 30;
/** Inputs smaller than this finish before a bar would help. */
const MIN_BYTES = 32 << 20;

/** Draws `[#####…] 42%` as bytes are read. */
export class Progress {
  readonly #total: number;
  #shown = -1;

  /** `total` bytes expected; 0 (unknown or quiet) draws nothing. */
  constructor(total: number) {
    this.#total = process.stderr.isTTY && total >= MIN_BYTES ? total : 0;
  }

  update(bytes: number): void {
    if (this.#total === 0) return;
    const percent = Math.min(100, Math.floor((bytes * 100) / this.#total));
    if (percent === this.#shown) return;
    this.#shown = percent;
    const filled = Math.round((percent * WIDTH) / 100);
    process.stderr.write(`\rreading [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${percent}%`);
  }

  done(): void {
    if (this.#total !== 0 && this.#shown >= 0) process.stderr.write('\r' + ' '.repeat(WIDTH + 20) + '\r');
  }
}
