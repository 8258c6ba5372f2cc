/**
 * A role's output as whole lines with its name in front (`command-1 | ...`), names padded
 * to one width so the lines align, colored only for a terminal. Pure: chunks in, lines out.
 */

/** ANSI colors the names cycle through; red is kept for failures. */
const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];
const RESET = "\u001b[0m";

export interface Prefixer {
  /** The complete lines in `chunk` (with what was left of the previous one), prefixed. */
  push(chunk: string): string[];
  /** What is left without a final newline, prefixed; nothing when the output ended with one. */
  end(): string[];
}

export function prefixFor(name: string, width: number, colorIndex: number | undefined): string {
  const label = `${name.padEnd(width)} |`;
  return colorIndex === undefined ? `${label} ` : `\u001b[${COLORS[colorIndex % COLORS.length]}m${label}${RESET} `;
}

export function linePrefixer(prefix: string): Prefixer {
  let rest = "";
  return {
    push(chunk) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      return parts.map((line) => prefix + line.replace(/\r$/, ""));
    },
    end() {
      const last = rest;
      rest = "";
      return last === "" ? [] : [prefix + last];
    },
  };
}

/** The last `size` lines seen, to show when a process dies. */
export class LastLines {
  readonly #lines: string[] = [];
  constructor(readonly size: number) {}

  add(lines: string[]): void {
    this.#lines.push(...lines);
    if (this.#lines.length > this.size) this.#lines.splice(0, this.#lines.length - this.size);
  }

  get lines(): readonly string[] {
    return this.#lines;
  }
}
