/**
 * What `lupine send` and `lupine fetch` print: the verification (who read what back from which
 * disk, and the digests that matched), the chunk accounting, and failures in one line with the
 * way forward (resume by running the same command again).
 */
import { isFileTransferError } from "../files/errors.js";
import type { TransferResult } from "../files/transfer.js";
import { isRpcError } from "../runtime/errors.js";
import { formatBytes } from "./progress.js";

/** The lines that describe a verified transfer. */
export function verifiedLines(
  r: TransferResult,
  o: { readonly receiver: string; readonly source: string },
): string[] {
  if (r.alreadyComplete) {
    return [
      `verified: ${o.receiver} already holds ${r.name} with the same ${r.size} bytes and SHA-256 ${r.sha256} (read from its disk); nothing sent`,
    ];
  }
  return [
    `verified: ${o.receiver} read ${r.name} back from its disk after writing it: ${r.size} bytes, SHA-256 ${r.sha256}`,
    `          = the SHA-256 of ${o.source} as read from the sender's disk`,
    `chunks: ${r.chunks} of ${formatBytes(r.chunkBytes)}; ${r.resumedChunks} already verified on disk (resumed), ` +
      `${r.chunksSent} sent, ${r.badOnReceipt} damaged on receipt and ${r.badOnDisk} bad on disk (all sent again); ` +
      `${r.verifications} read-back verification${r.verifications === 1 ? "" : "s"}` +
      (r.reopened > 0 ? `; reopened ${r.reopened}× after the server lost the transfer` : ""),
  ];
}

/** One line for a failure, with what to do next. */
export function failureLine(command: string, e: unknown): string {
  if (isFileTransferError(e)) {
    const resumable = ["no_space", "access", "io", "stale", "bad_chunk"].some((s) =>
      e.message.startsWith(`[${s}]`),
    );
    return `${command}: ${e.message}${resumable ? "; run the same command again to resume" : ""}`;
  }
  if (isRpcError(e) && e.code === "unreachable") {
    return `${command}: ${e.message}; is lupine serve-files running there? (what is verified on disk is kept)`;
  }
  if (isRpcError(e)) {
    return `${command}: ${e.message}; what is verified on disk is kept: run the same command again to resume`;
  }
  return `${command}: ${e instanceof Error ? e.message : String(e)}`;
}
