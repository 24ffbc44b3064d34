/**
 * Progress of a file transfer on the terminal: on a TTY one line redrawn in place (a bar, bytes,
 * rate, ETA, retransmissions from the transport's statistics); otherwise plain lines — one when
 * the phase changes and at most one every few seconds while chunks move — so logs stay readable.
 */
import type { TransferProgress } from "../files/transfer.js";

/** Numbers the transport adds to the line (Lupine client statistics), when known. */
export interface TransportCounters {
  readonly retransmissions: number;
}

/** Bytes in binary units: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** A duration: `42s`, `3m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** The text of one progress report (without a bar). */
export function describeProgress(
  p: TransferProgress,
  rateBytesPerS: number,
  counters: TransportCounters | undefined,
): string {
  const pct = p.bytesTotal === 0 ? 100 : Math.floor((100 * p.bytesDone) / p.bytesTotal);
  const parts = [
    `${p.phase}`,
    `${pct}%`,
    `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`,
  ];
  if (p.phase === "transferring" && rateBytesPerS > 0) {
    parts.push(`${formatBytes(rateBytesPerS)}/s`);
    parts.push(`ETA ${formatDuration((p.bytesTotal - p.bytesDone) / rateBytesPerS)}`);
  }
  if (counters !== undefined) parts.push(`retransmissions ${counters.retransmissions}`);
  if (p.chunksResumed > 0) parts.push(`resumed ${p.chunksResumed} chunks`);
  if (p.chunksResent > 0) parts.push(`re-sent ${p.chunksResent}`);
  return parts.join(" ");
}

/** A progress bar of `width` cells for a fraction in [0, 1]. */
export function bar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly out: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  readonly counters?: () => TransportCounters | undefined;
  readonly now?: () => number;
  /** Plain mode: least time between two lines while transferring (default 5000 ms). */
  readonly plainEveryMs?: number;
}

/** A progress display: feed it reports, then `finish()`. */
export interface Progress {
  update(p: TransferProgress): void;
  finish(): void;
}

/** Creates the display for `out` (a TTY gets the redrawn bar). */
export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? (() => performance.now());
  const tty = o.out.isTTY === true;
  const every = tty ? 100 : (o.plainEveryMs ?? 5000);
  let phase = "";
  let phaseStartMs = now();
  let phaseStartBytes = 0;
  let lastMs = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let last: TransferProgress | undefined;

  const line = (p: TransferProgress): string => {
    const elapsedS = (now() - phaseStartMs) / 1000;
    const rate = elapsedS > 0.2 ? (p.bytesDone - phaseStartBytes) / elapsedS : 0;
    return describeProgress(p, rate, o.counters?.());
  };
  const draw = (p: TransferProgress): void => {
    lastMs = now();
    if (tty) {
      const fraction = p.bytesTotal === 0 ? 1 : p.bytesDone / p.bytesTotal;
      const text = `${bar(fraction, 16)} ${line(p)}`;
      // A terminal of unknown size (a pty with no size set) reports 0 columns.
      const columns = o.out.columns !== undefined && o.out.columns > 0 ? o.out.columns : 100;
      const width = Math.max(20, columns - 1);
      o.out.write(`\r${text.slice(0, width).padEnd(width)}`);
      drawn = true;
    } else {
      o.out.write(`progress: ${line(p)}\n`);
    }
  };
  return {
    update(p) {
      last = p;
      if (p.phase !== phase) {
        phase = p.phase;
        phaseStartMs = now();
        phaseStartBytes = p.bytesDone;
        if (p.phase !== "done") draw(p);
        return;
      }
      if (now() - lastMs >= every) draw(p);
    },
    finish() {
      if (tty && last !== undefined) draw(last);
      if (drawn) o.out.write("\n");
    },
  };
}
