/**
 * Rows grouped and compared: each group's reference systems (its baseline, and whichever of
 * {@link REFERENCE_SYSTEMS} it has) and every row's ratio to each, as the console table of
 * `npm run bench` and the tables of `docs/benchmarks.md` show them.
 */
import { type BenchRow, REFERENCE_SYSTEMS } from "./harness.js";

/** Rows of one group, in the order they came. */
export interface Group {
  readonly name: string;
  readonly rows: readonly BenchRow[];
  /** The systems every row of the group is compared with. */
  readonly references: readonly BenchRow[];
}

/** A measured value (JSON turns NaN into null). */
export function hasValue(r: BenchRow): boolean {
  return typeof r.value === "number" && Number.isFinite(r.value);
}

/** Groups `rows` by `group`, keeping first-seen order, with their reference systems. */
export function groupRows(rows: readonly BenchRow[]): Group[] {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const g = groups.get(r.group);
    if (g === undefined) groups.set(r.group, [r]);
    else g.push(r);
  }
  return [...groups].map(([name, members]) => {
    const refs = members.filter(
      (m) => m.baseline === true || (REFERENCE_SYSTEMS as readonly string[]).includes(m.system),
    );
    return { name, rows: members, references: refs.filter(hasValue) };
  });
}

/** `row`'s value divided by `reference`'s, or null when either is missing or it is itself. */
export function ratio(row: BenchRow, reference: BenchRow): number | null {
  if (row === reference || !hasValue(row) || !hasValue(reference) || reference.value === 0)
    return null;
  return row.value / reference.value;
}

/** A number for people: thousands separated, three significant digits below 100. */
export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  return n.toPrecision(3);
}

/** A ratio for people: `2.06×`. */
export function fmtRatio(r: number | null): string {
  if (r === null) return "";
  return `${r >= 100 ? Math.round(r) : r.toPrecision(3)}×`;
}

/** The console table of some rows. */
export function formatGroups(rows: readonly BenchRow[]): string {
  const out: string[] = [];
  for (const g of groupRows(rows)) {
    out.push("", g.name);
    for (const m of g.rows) {
      const spread = m.min === undefined || !hasValue(m) ? "" : ` [${fmt(m.min)}–${fmt(m.max)}]`;
      const ratios = g.references
        .map((ref) => {
          const r = ratio(m, ref);
          return r === null ? "" : `  ${fmtRatio(r)} ${ref.system}`;
        })
        .join("");
      const note = m.note === undefined ? "" : `  (${m.note})`;
      const value = hasValue(m) ? `${fmt(m.value).padStart(12)} ${m.unit}` : `${"—".padStart(12)}`;
      out.push(`  ${m.system.padEnd(28)} ${value}${spread}${ratios}${note}`);
    }
  }
  return out.join("\n");
}
