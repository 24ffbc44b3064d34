/**
 * Tables of `lupine checksums`, as aligned text for a terminal or as Markdown for
 * `docs/checksums.md`.
 */
import { rateBound } from "../checksum/study/bounds.js";
import type { Fact } from "../checksum/study/facts.js";
import type { SpeedResult } from "./checksums-speed.js";

/** A table: a header row and body rows of cells. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Renders a table as aligned text (first column left, others right) or Markdown. */
export function renderTable(table: Table, markdown: boolean): string {
  const all = [table.header, ...table.rows];
  if (markdown) {
    const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
    const rule = table.header.map((_, i) => (i === 0 ? "---" : "---:"));
    return [line(table.header), line(rule), ...table.rows.map(line)].join("\n");
  }
  const widths = table.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all
    .map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "),
    )
    .join("\n");
}

/** `1 MiB`, `1500 B`. */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3);
}

/** Speed table: MB/s per size, with the ratio to `baseline` (the native CRC) in brackets. */
export function speedTable(results: readonly SpeedResult[], baseline: string | undefined): Table {
  const sizes = [...new Set(results.map((r) => r.sizeBytes))];
  const systems = [...new Set(results.map((r) => r.system))];
  const get = (system: string, size: number) =>
    results.find((r) => r.system === system && r.sizeBytes === size);
  const rows = systems.map((system) => [
    system,
    ...sizes.map((size) => {
      const r = get(system, size)!;
      const base = baseline === undefined ? undefined : get(baseline, size);
      const ratio =
        base === undefined || system === baseline
          ? ""
          : ` (${(r.mbPerS / base.mbPerS).toFixed(2)}×)`;
      return `${fmt(r.mbPerS)}${ratio}`;
    }),
  ]);
  return { header: ["algorithm", ...sizes.map((s) => `MB/s ${sizeLabel(s)}`)], rows };
}

/**
 * A detection cell: `0 (<3.0e-5)` when nothing was missed (the 95% upper bound), else the
 * rate and the count, e.g. `3.1e-2 (3105)`.
 */
export function detectionCell(undetected: number, trials: number): string {
  const b = rateBound(undetected, trials);
  if (undetected === 0) return `0 (<${b.high.toExponential(1)})`;
  return `${b.rate.toExponential(1)} (${undetected})`;
}

/** Facts as a list: a mark, the claim, and the evidence indented below. */
export function renderFacts(facts: readonly Fact[], markdown: boolean): string {
  return facts
    .map((f) =>
      markdown
        ? `- ${f.holds ? "✅" : "❌"} ${f.claim}.<br>${f.evidence}.`
        : `${f.holds ? "✓" : "✗"} ${f.claim}\n    ${f.evidence}`,
    )
    .join("\n");
}
