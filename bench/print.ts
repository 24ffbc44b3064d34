/**
 * Rows grouped and compared: each group's reference systems (its baseline, and whichever of
 * {@link REFERENCE_SYSTEMS} it has) and every row's ratio to each, as the console table of
 * `npm run bench` and the tables of `docs/benchmarks.md` show them.
 */
import { type BenchRow, REFERENCE_SYSTEMS, summarize } from "./harness.js";

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

/** Fewer paired rounds than this give no paired ratio. */
export const MIN_PAIRS = 3;

/** A ratio taken round by round: the median of the rounds' ratios, and their spread. */
export interface PairedRatio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly pairs: number;
}

/**
 * `row` ÷ `reference` round by round (the rows' `rounds`, paired by index; rounds where either
 * has no value are left out): the median of those ratios, or null with fewer than
 * {@link MIN_PAIRS}. The two systems' windows of one round are seconds apart, the rounds minutes,
 * so on a machine whose speed drifts this is steadier than the ratio of the two medians.
 */
export function pairedRatio(row: BenchRow, reference: BenchRow): PairedRatio | null {
  const a = row.rounds;
  const b = reference.rounds;
  if (row === reference || a === undefined || b === undefined) return null;
  const q: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === "number" && typeof y === "number" && y !== 0) q.push(x / y);
  }
  if (q.length < MIN_PAIRS) return null;
  const { value, min, max } = summarize(q);
  return { median: value, min, max, pairs: q.length };
}

/** `1.19× (per round 1.17× [1.12–1.25])`: the ratio of medians and, where there is one, the paired one. */
export function fmtRatios(row: BenchRow, reference: BenchRow): string {
  const plain = fmtRatio(ratio(row, reference));
  const p = pairedRatio(row, reference);
  if (plain === "" || p === null) return plain;
  return `${plain} (per round ${fmtRatio(p.median)} [${p.min.toFixed(2)}–${p.max.toFixed(2)}])`;
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
          const r = fmtRatios(m, ref);
          return r === "" ? "" : `  ${r} ${ref.system}`;
        })
        .join("");
      const note = m.note === undefined ? "" : `  (${m.note})`;
      const value = hasValue(m) ? `${fmt(m.value).padStart(12)} ${m.unit}` : `${"—".padStart(12)}`;
      out.push(`  ${m.system.padEnd(28)} ${value}${spread}${ratios}${note}`);
    }
  }
  return out.join("\n");
}
