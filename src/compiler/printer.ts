/**
 * A small code printer: lines with managed indentation, and an import table that renders
 * `import { type A, b } from "m";` lines sorted, each name once. Generated code is built only
 * through it (no string concatenation of whole files).
 */

/** Accumulates one generated module. */
export class Printer {
  private readonly out: string[] = [];
  private depth = 0;
  private readonly imports = new Map<
    string,
    Map<string, { type: boolean; alias: string | null }>
  >();

  /** Adds lines at the current indentation (empty strings stay empty). */
  line(...lines: string[]): void {
    const pad = "  ".repeat(this.depth);
    for (const l of lines) this.out.push(l === "" ? "" : pad + l);
  }

  /** `open`, then `body` one level deeper, then `close` (none when `null`: `try {` before a catch). */
  block(open: string, body: () => void, close: string | null = "}"): void {
    this.line(open);
    this.depth++;
    body();
    this.depth--;
    if (close !== null) this.line(close);
  }

  /** A place in the output, for {@link insert}. */
  mark(): { readonly index: number; readonly depth: number } {
    return { index: this.out.length, depth: this.depth };
  }

  /** Inserts a line at a place marked earlier (with that place's indentation). */
  insert(at: { readonly index: number; readonly depth: number }, line: string): void {
    this.out.splice(at.index, 0, "  ".repeat(at.depth) + line);
  }

  /** Runs `body` one level deeper. */
  indent(body: () => void): void {
    this.depth++;
    body();
    this.depth--;
  }

  /** Records that `name` (as `alias`) is imported from `from`; a value import wins over a type one. */
  use(from: string, name: string, options: { type?: boolean; alias?: string } = {}): void {
    let names = this.imports.get(from);
    if (names === undefined) {
      names = new Map();
      this.imports.set(from, names);
    }
    const prev = names.get(name);
    const type = (options.type ?? false) && (prev === undefined || prev.type);
    names.set(name, { type, alias: options.alias ?? null });
  }

  /** The import lines, sorted by module then name. */
  importLines(): string[] {
    const lines: string[] = [];
    for (const from of [...this.imports.keys()].sort()) {
      const names = this.imports.get(from)!;
      const specs = [...names.entries()]
        .sort(([a], [b]) =>
          a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
        )
        .map(([n, o]) => `${o.type ? "type " : ""}${n}${o.alias === null ? "" : ` as ${o.alias}`}`);
      lines.push(`import { ${specs.join(", ")} } from ${JSON.stringify(from)};`);
    }
    return lines;
  }

  /** The module: `header` lines, the imports, a blank line, the body. */
  render(header: readonly string[]): string {
    const imports = this.importLines();
    const parts = [...header, ...imports];
    if (this.out.length > 0) parts.push("", ...this.out);
    return `${parts.join("\n")}\n`;
  }
}
