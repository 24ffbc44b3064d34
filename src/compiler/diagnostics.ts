/**
 * Diagnostics: what the compiler says about its input. Every phase reports problems here
 * instead of throwing, keeps going, and the caller prints them all
 * (`file:line:col: error: message`, as C compilers and `tsc` do).
 */

/** A place in a source file: 1-based line and column. */
export interface Pos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** How bad a diagnostic is: errors stop output, warnings do not. */
export type Severity = "error" | "warning";

/** One problem found in the input. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: Severity;
  /** A stable kebab-case identifier (`undefined-name`), for tests and tools. */
  readonly code: string;
  readonly message: string;
}

/**
 * Collects diagnostics; each phase gets the same bag. Duplicates (same place, same text) are
 * dropped. `strict` (`lupine gen --strict`) turns the problems rpcgen lets through into errors.
 */
export class DiagnosticBag {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly strict = false) {}

  /** A problem that stops output. */
  error(pos: Pos, code: string, message: string): void {
    this.add(pos, "error", code, message);
  }

  /** A problem worth knowing that does not stop output. */
  warning(pos: Pos, code: string, message: string): void {
    this.add(pos, "warning", code, message);
  }

  /**
   * A problem rpcgen lets through and Lupine compiles around (a name defined outside the
   * compiled files, a type with no finite value): a warning, or an error when `strict`.
   */
  relaxed(pos: Pos, code: string, message: string): void {
    this.add(pos, this.strict ? "error" : "warning", code, message);
  }

  private add(pos: Pos, severity: Severity, code: string, message: string): void {
    const key = `${pos.file}:${pos.line}:${pos.col}:${severity}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ file: pos.file, line: pos.line, column: pos.col, severity, code, message });
  }

  /** How many errors were reported so far. */
  get errorCount(): number {
    let n = 0;
    for (const d of this.list) if (d.severity === "error") n++;
    return n;
  }
}

/** `file:line:col: error: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/** Diagnostics in file, line, column order (stable for equal positions). */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : 0) ||
        a.d.line - b.d.line ||
        a.d.column - b.d.column ||
        a.i - b.i,
    )
    .map((x) => x.d);
}
