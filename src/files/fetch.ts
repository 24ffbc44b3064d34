/**
 * Downloading a file (`lupine fetch`): the server is the sender, the client the receiver — so
 * the end-to-end check runs here.
 *
 * 1. FILES_GET_OPEN: the server checks the name, reads the file and returns its manifest (SHA-256
 *    of the whole and of every chunk, as read from the server's disk).
 * 2. The local partial file is opened or resumed ({@link openSink}): chunks already intact on this
 *    disk are kept. An existing target is never replaced unless `force`.
 * 3. The missing chunks, `window` at a time; each is checked against its digest on receipt and
 *    fetched again if damaged.
 * 4. Flush, read the whole file back from this disk, compare with the server's digests; fetch the
 *    chunks found bad on disk again; rename into place only when it verifies.
 */
import type { FileSystem, HasherFactory } from "../io/file-system.js";
import type { CallOptions } from "../runtime/program.js";
import { FileTransferError, isFileTransferError } from "./errors.js";
import { type FilesProgV1Client, files_status } from "./gen/files.js";
import { checkManifest, chunkRange, hex } from "./manifest.js";
import { openSink, type SinkFaults } from "./sink.js";
import {
  remoteFailure,
  type TransferProgress,
  type TransferResult,
  type TransferTuning,
  tooManyAttempts,
  tuning,
  withReopens,
} from "./transfer.js";
import { runWindow } from "./window.js";

/** Options of {@link fetchWith}. */
export interface FetchWithOptions extends TransferTuning {
  readonly client: FilesProgV1Client;
  readonly fs: FileSystem;
  readonly hash: HasherFactory;
  /** The file's name on the server. */
  readonly name: string;
  /** The local target: its canonical folder and its name there. */
  readonly dir: string;
  readonly base: string;
  /** Replace an existing local file. */
  readonly force?: boolean;
  /** Test only. */
  readonly faults?: SinkFaults;
}

/** Fetches a file; resolves only when it is verified on this disk and in place. */
export async function fetchWith(o: FetchWithOptions): Promise<TransferResult> {
  const counters = { sent: 0, badOnReceipt: 0, badOnDisk: 0, verifications: 0, resumed: -1 };
  return withReopens(o, (reopened) => fetchOnce(o, counters, reopened));
}

interface Counters {
  sent: number;
  badOnReceipt: number;
  badOnDisk: number;
  verifications: number;
  resumed: number;
}

async function fetchOnce(
  o: FetchWithOptions,
  c: Counters,
  reopened: number,
): Promise<TransferResult> {
  const opts = (timeoutMs: number): CallOptions =>
    o.signal === undefined ? { timeoutMs } : { timeoutMs, signal: o.signal };
  const r = await o.client.filesGetOpen(o.name, opts(o.longTimeoutMs ?? 600_000));
  if (r.status !== 0) throw remoteFailure(r);
  const handle = r.session.handle;
  try {
    const m = checkManifest(r.session.manifest);
    const t = tuning(o, m.chunkBytes);
    const label = `${o.dir}/${o.base}`;
    const sink = await openSink({
      fs: o.fs,
      hash: o.hash,
      dir: o.dir,
      base: o.base,
      label,
      manifest: m,
      force: o.force ?? false,
      ...(o.faults === undefined ? {} : { faults: o.faults }),
    });
    try {
      const result = (alreadyComplete: boolean): TransferResult => ({
        name: label,
        size: m.size,
        digest: m.digest,
        sha256: hex(m.digest),
        chunks: m.chunks.length,
        chunkBytes: m.chunkBytes,
        alreadyComplete,
        resumedChunks: Math.max(0, c.resumed),
        chunksSent: c.sent,
        badOnReceipt: c.badOnReceipt,
        badOnDisk: c.badOnDisk,
        verifications: c.verifications,
        reopened,
      });
      if (sink.complete) return result(true);
      if (c.resumed < 0) c.resumed = sink.resumed.size;
      let bytesDone = 0;
      for (const i of sink.resumed) bytesDone += chunkRange(m, i).length;
      const progress = (phase: TransferProgress["phase"]) =>
        o.onProgress?.({
          phase,
          bytesTotal: m.size,
          bytesDone,
          chunksTotal: m.chunks.length,
          chunksResumed: Math.max(0, c.resumed),
          chunksResent: c.badOnReceipt + c.badOnDisk,
        });
      const attempts = new Map<number, number>();
      const fetchChunk = async (index: number): Promise<void> => {
        for (;;) {
          const attempt = (attempts.get(index) ?? 0) + 1;
          attempts.set(index, attempt);
          if (attempt > t.maxChunkAttempts) throw tooManyAttempts(index, attempt - 1, o.name);
          c.sent++;
          const g = await o.client.filesGetChunk({ handle, index }, opts(t.chunkTimeoutMs));
          if (g.status !== 0) throw remoteFailure(g);
          try {
            await sink.writeChunk(index, g.data);
          } catch (e) {
            if (isFileTransferError(e) && e.status === files_status.FILES_BAD_CHUNK) {
              c.badOnReceipt++;
              continue;
            }
            throw e;
          }
          bytesDone += g.data.length;
          progress("transferring");
          return;
        }
      };
      let pending = [...Array(m.chunks.length).keys()].filter((i) => !sink.resumed.has(i));
      for (;;) {
        progress("transferring");
        await runWindow(pending, t.window, fetchChunk);
        progress("verifying");
        c.verifications++;
        const v = await sink.verify();
        if (v.ok) break;
        if (c.verifications >= t.maxVerifications) {
          throw new FileTransferError(
            files_status.FILES_BAD_CHUNK,
            `${v.bad.length} chunk(s) still bad on disk after ${c.verifications} verifications`,
          );
        }
        c.badOnDisk += v.bad.length;
        for (const i of v.bad) bytesDone -= chunkRange(m, i).length;
        pending = v.bad;
      }
      await sink.install();
      progress("done");
      return result(false);
    } finally {
      await sink.close();
    }
  } finally {
    await o.client.filesClose(handle, opts(5000)).catch(() => {});
  }
}
