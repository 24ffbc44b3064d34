/**
 * Samples of the comparison, collected round by round and turned into rows: the median over
 * rounds with the min–max spread, or a row with no value that says why the system has none.
 */
import { type BenchRow, summarize } from "../harness.js";

/** What identifies one row. */
export interface RowKey {
  readonly group: string;
  readonly system: string;
  readonly unit: string;
  readonly better: "higher" | "lower";
  readonly figure: string;
  readonly inFlight?: number;
  readonly baseline?: boolean;
}

interface Entry {
  readonly key: RowKey;
  /** Values by round index (`null`: none that round). */
  readonly byRound: (number | null)[];
  readonly failures: string[];
  missing?: string;
  remark?: string;
}

/** Rows in the order their keys were first seen. */
export class Samples {
  private readonly entries = new Map<string, Entry>();

  private entry(key: RowKey): Entry {
    const id = `${key.group}|${key.system}`;
    let e = this.entries.get(id);
    if (e === undefined) {
      e = { key, byRound: [], failures: [] };
      this.entries.set(id, e);
    }
    return e;
  }

  /** Makes the row now, so that rows come out in the order they were declared. */
  declare(key: RowKey): void {
    this.entry(key);
  }

  /**
   * The value of round `round` (from 0); NaN values, e.g. an unreadable CPU time, are not
   * counted. Filed by round, so that rows of the same rounds can be paired.
   */
  add(key: RowKey, value: number, round: number): void {
    const e = this.entry(key);
    if (!Number.isFinite(value)) return;
    while (e.byRound.length < round) e.byRound.push(null);
    e.byRound[round] = value;
  }

  /** A window that failed (the error is noted on the row). */
  fail(key: RowKey, error: string): void {
    this.entry(key).failures.push(error);
  }

  /** The system has no such figure, and why. */
  missing(key: RowKey, why: string): void {
    this.entry(key).missing = why;
  }

  /** A fact about the row's windows, added to its note (e.g. how many packets netlab dropped). */
  remark(group: string, system: string, text: string): void {
    const e = this.entries.get(`${group}|${system}`);
    if (e !== undefined) e.remark = text;
  }

  /** The rows, each noting `note` (rounds, load) and failures. */
  rows(note: string): BenchRow[] {
    return [...this.entries.values()].map(({ key, byRound, failures, missing, remark }) => {
      const values = byRound.filter((v): v is number => v !== null);
      const failed =
        (failures.length === 0 ? "" : `; ${failures.length} window(s) failed: ${failures[0]}`) +
        (remark === undefined ? "" : `; ${remark}`);
      const base = {
        ...key,
        ...(key.baseline === true ? { baseline: true } : {}),
      };
      if (values.length === 0) {
        return {
          ...base,
          value: Number.NaN,
          note: missing ?? (failures.length > 0 ? `failed: ${failures[0]}` : "no value"),
        };
      }
      const s = summarize(values);
      const rounds = `${values.length} ${values.length === 1 ? "round" : "rounds"}`;
      return {
        ...base,
        ...s,
        rounds: byRound,
        note: `${rounds}, ${note}${failed}`,
      };
    });
  }
}
