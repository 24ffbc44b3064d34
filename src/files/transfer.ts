/**
 * What the two transfer drivers (`send.ts`, `fetch.ts`) share: the progress they report, the
 * result they return, and how they read the peer's answers — a non-OK `files_status` becomes a
 * remote {@link FileTransferError}; a lost session (the server restarted: `stale`, or the
 * transport's `outcome_unknown`) is something to recover from by opening the transfer again,
 * which resumes from what the receiver has verified on disk.
 */
import type { Clock } from "../io/clock.js";
import { isRpcError } from "../runtime/errors.js";
import { FileTransferError, isFileTransferError } from "./errors.js";
import { files_status } from "./gen/files.js";

/** Where a transfer is, for progress displays. */
export interface TransferProgress {
  /**
   * `digesting`: reading the source to build the manifest; `transferring`: chunks moving;
   * `verifying`: the receiver is reading the file back; `done`.
   */
  readonly phase: "digesting" | "transferring" | "verifying" | "done";
  /** The file's size, and the bytes done in this phase. */
  readonly bytesTotal: number;
  readonly bytesDone: number;
  readonly chunksTotal: number;
  /** Chunks found intact on the receiver's disk when the transfer (re)opened. */
  readonly chunksResumed: number;
  /** Chunks sent again because they arrived damaged or were found bad on disk. */
  readonly chunksResent: number;
}

/** What a verified transfer did. */
export interface TransferResult {
  /** The receiver's name of the file (remote name for a send, local path for a fetch). */
  readonly name: string;
  readonly size: number;
  /** SHA-256 of the file: the sender's, equal to the receiver's read back from its disk. */
  readonly digest: Uint8Array;
  readonly sha256: string;
  readonly chunks: number;
  readonly chunkBytes: number;
  /** The target already held exactly this file; nothing was sent. */
  readonly alreadyComplete: boolean;
  /** Chunks already verified on the receiver's disk when the transfer started (resume). */
  readonly resumedChunks: number;
  /** Chunk transmissions, re-sends included. */
  readonly chunksSent: number;
  /** Chunks that did not match their digest on receipt, and chunks found bad on disk. */
  readonly badOnReceipt: number;
  readonly badOnDisk: number;
  /** Read-back verifications made (1 when nothing was bad on disk). */
  readonly verifications: number;
  /** Times the transfer was opened again after the server lost it. */
  readonly reopened: number;
}

/** Limits and timing common to both directions. */
export interface TransferTuning {
  /** Chunk calls in flight (default: 4 MiB worth, between 2 and 32). */
  readonly window?: number;
  /** Per chunk call, ms (default 60 000). */
  readonly chunkTimeoutMs?: number;
  /** Open and commit, which read whole files, ms (default 600 000). */
  readonly longTimeoutMs?: number;
  /** Transmissions of one chunk before giving up on it (default 8). */
  readonly maxChunkAttempts?: number;
  /** Read-back verifications before giving up (default 8). */
  readonly maxVerifications?: number;
  /** Re-opens after the server lost the transfer (default 5). */
  readonly maxReopens?: number;
  /**
   * After the server lost the transfer, how long to keep trying to reopen it while nothing
   * listens at its address (a server restarting), ms (default 30 000). Needs `clock`; a server
   * that is not there when the transfer starts fails at once.
   */
  readonly reconnectMs?: number;
  /** The clock for waiting between reopen attempts (without one, no waiting: fail at once). */
  readonly clock?: Clock;
  readonly onProgress?: (p: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

/** Re-opens after the server lost the transfer, unless told otherwise. */
const DEFAULT_MAX_REOPENS = 5;

/** The defaults of {@link TransferTuning}, resolved for a chunk size. */
export function tuning(t: TransferTuning, chunkBytes: number) {
  return {
    window: t.window ?? Math.max(2, Math.min(32, Math.floor((4 << 20) / chunkBytes))),
    chunkTimeoutMs: t.chunkTimeoutMs ?? 60_000,
    longTimeoutMs: t.longTimeoutMs ?? 600_000,
    maxChunkAttempts: t.maxChunkAttempts ?? 8,
    maxVerifications: t.maxVerifications ?? 8,
  };
}

/** The error for a peer's non-OK answer. */
export function remoteFailure(r: { status: number; message: string }): FileTransferError {
  return new FileTransferError(r.status as Exclude<files_status, 0>, `server: ${r.message}`, {
    remote: true,
  });
}

/** Whether `e` means the server lost the transfer (restart, expiry): open it again. */
export function sessionLost(e: unknown): boolean {
  if (isFileTransferError(e)) return e.status === files_status.FILES_STALE;
  return isRpcError(e) && e.code === "outcome_unknown";
}

/**
 * Runs `attempt` and, when the server loses the transfer ({@link sessionLost}), runs it again
 * (it resumes from what the receiver verified on disk), at most `maxReopens` times. While the
 * server is away after such a loss — a reopen fails `unreachable`: the request was never sent,
 * nothing listens at the address — it waits (100 ms doubling to 2 s) and tries again, for up to
 * `reconnectMs` from the loss. `attempt` is given the number of reopens so far.
 */
export async function withReopens<T>(
  t: TransferTuning,
  attempt: (reopened: number) => Promise<T>,
): Promise<T> {
  const maxReopens = t.maxReopens ?? DEFAULT_MAX_REOPENS;
  const reconnectMs = t.reconnectMs ?? 30_000;
  let reopened = 0;
  let lostAtMs: number | undefined;
  let waitMs = 100;
  for (;;) {
    try {
      return await attempt(reopened);
    } catch (e) {
      if (sessionLost(e)) {
        if (reopened >= maxReopens) throw e;
        reopened++;
        lostAtMs = t.clock?.now();
        waitMs = 100;
        continue;
      }
      const clock = t.clock;
      const away = isRpcError(e) && e.code === "unreachable";
      if (!away || clock === undefined || lostAtMs === undefined) throw e;
      if (clock.now() - lostAtMs + waitMs > reconnectMs) throw e;
      t.signal?.throwIfAborted();
      await sleep(clock, waitMs, t.signal);
      waitMs = Math.min(2 * waitMs, 2000);
    }
  }
}

function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error when one chunk keeps arriving damaged. */
export function tooManyAttempts(index: number, attempts: number, label: string): FileTransferError {
  return new FileTransferError(
    files_status.FILES_BAD_CHUNK,
    `chunk ${index} of ${label} arrived damaged ${attempts} times in a row; giving up`,
  );
}
