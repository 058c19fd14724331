/**
 * A small terminal emulator for tests: a grid of `columns` cells per row that
 * wraps long lines as a VT100 does (the cursor waits at the right edge until
 * the next character), treats "\n" as a new line (the tty's onlcr), and
 * understands the few control sequences a redraw uses: cursor up / down /
 * to column 1, erase line, erase to end of line. Anything else throws, so a
 * test cannot pass on output it does not understand.
 */
/** What follows ESC in the sequences a redraw uses. */
const CSI = /^\[(\?2026[hl]|(\d*)([ABGK])|2K)/;

export class Terminal {
  readonly columns: number;
  readonly rows = 200;
  readonly isTTY = false;
  #screen: string[][] = [[]];
  #row = 0;
  #col = 0;
  /** Everything written, as written. */
  written = '';

  constructor(columns: number) {
    this.columns = columns;
  }

  write(text: string): boolean {
    this.written += text;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (ch === '\x1b') {
        const match = CSI.exec(text.slice(i + 1));
        if (!match) throw new Error(`unknown escape sequence at ${JSON.stringify(text.slice(i, i + 8))}`);
        i += match[0].length;
        if (match[1]?.startsWith('?')) continue;
        if (match[1] === '2K') {
          this.#line().length = 0;
          continue;
        }
        const n = Number(match[2] || '1');
        if (match[3] === 'A') this.#row = Math.max(0, this.#row - n);
        else if (match[3] === 'B') this.#row += n;
        else if (match[3] === 'G') this.#col = 0;
        else if (match[3] === 'K') this.#line().length = Math.min(this.#line().length, this.#col);
        this.#col = Math.min(this.#col, this.columns - 1);
        continue;
      }
      if (ch === '\n') {
        this.#row++;
        this.#col = 0;
        continue;
      }
      if (this.#col >= this.columns) {
        this.#row++;
        this.#col = 0;
      }
      const line = this.#line();
      while (line.length < this.#col) line.push(' ');
      line[this.#col] = ch;
      this.#col++;
    }
    return true;
  }

  #line(): string[] {
    while (this.#screen.length <= this.#row) this.#screen.push([]);
    return this.#screen[this.#row] as string[];
  }

  /** The rows as they look now, trailing blanks trimmed, trailing empty rows dropped. */
  screen(): string[] {
    const rows = this.#screen.map((cells) => cells.join('').trimEnd());
    while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
    return rows;
  }
}
