/**
 * Uploading a file (`lupine send`): the client is the sender, the server the receiver.
 *
 * 1. Read the file once and build the manifest (SHA-256 of the whole and of every chunk, as read
 *    from this disk).
 * 2. FILES_PUT_OPEN: the server checks the name, refuses to replace an existing file unless
 *    `force`, and says which chunks it already has intact on disk (resume).
 * 3. The missing chunks, `window` at a time; each is read from disk when sent. A chunk the server
 *    finds damaged on receipt is read again and re-sent.
 * 4. FILES_PUT_COMMIT: the server flushes, reads the file back from its disk and compares; it
 *    names the chunks that are bad on disk (sent again, then commit again) or renames the file into
 *    place and returns the size and SHA-256 it read back. The transfer counts as done only when
 *    those equal this side's.
 *
 * If the server loses the transfer (it restarted: `stale` or `outcome_unknown`), the transfer is
 * opened again and resumes from what the server has verified on disk.
 */
import type { FileSystem, HasherFactory } from "../io/file-system.js";
import type { CallOptions } from "../runtime/program.js";
import { FileTransferError } from "./errors.js";
import { type FilesProgV1Client, files_status } from "./gen/files.js";
import { chunkRange, fromBitmap, hex, type Manifest, sameDigest, toWire } from "./manifest.js";
import { openSource, type Source } from "./source.js";
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

/** Test-only fault injection on the sending side. */
export interface SendFaults {
  /**
   * Called with each chunk after it was read from disk and before it is handed to the transport
   * (which then checksums it faithfully): damage here is invisible to the network checksums.
   * `attempt` counts this chunk's transmissions from 1.
   */
  corruptChunk?(index: number, data: Uint8Array, attempt: number): void;
}

/** Options of {@link sendWith}. */
export interface SendWithOptions extends TransferTuning {
  readonly client: FilesProgV1Client;
  readonly fs: FileSystem;
  readonly hash: HasherFactory;
  /** The local file (canonical path: links already resolved by the caller). */
  readonly path: string;
  /** Its name on the server, relative to the served folder. */
  readonly name: string;
  /** Replace an existing file on the server. */
  readonly force?: boolean;
  /** Preferred chunk size (default 64 KiB). */
  readonly chunkBytes?: number;
  /** Test only. */
  readonly faults?: SendFaults;
}

/** Sends a file; resolves only when the server has verified it on its disk. */
export async function sendWith(o: SendWithOptions): Promise<TransferResult> {
  // The size, for the progress of the digest pass (the manifest does not exist yet).
  const bytesTotal = await o.fs.stat(o.path).then(
    (s) => s.size,
    () => 0,
  );
  let digested = 0;
  const source = await openSource({
    fs: o.fs,
    hash: o.hash,
    path: o.path,
    ...(o.chunkBytes === undefined ? {} : { chunkBytes: o.chunkBytes }),
    onDigest: (n) => {
      digested += n;
      o.onProgress?.({
        phase: "digesting",
        bytesTotal,
        bytesDone: digested,
        chunksTotal: 0,
        chunksResumed: 0,
        chunksResent: 0,
      });
    },
  });
  try {
    return await new Upload(o, source).run();
  } finally {
    await source.close();
  }
}

class Upload {
  private readonly m: Manifest;
  private readonly t: ReturnType<typeof tuning>;
  private readonly attempts = new Map<number, number>();
  private handle = 0n;
  private resumed = -1;
  private sent = 0;
  private badOnReceipt = 0;
  private badOnDisk = 0;
  private verifications = 0;
  private reopened = 0;
  private bytesDone = 0;

  constructor(
    private readonly o: SendWithOptions,
    private readonly source: Source,
  ) {
    this.m = source.manifest;
    this.t = tuning(o, this.m.chunkBytes);
  }

  private opts(timeoutMs: number): CallOptions {
    return this.o.signal === undefined ? { timeoutMs } : { timeoutMs, signal: this.o.signal };
  }

  private progress(phase: TransferProgress["phase"]): void {
    this.o.onProgress?.({
      phase,
      bytesTotal: this.m.size,
      bytesDone: this.bytesDone,
      chunksTotal: this.m.chunks.length,
      chunksResumed: Math.max(0, this.resumed),
      chunksResent: this.badOnReceipt + this.badOnDisk,
    });
  }

  run(): Promise<TransferResult> {
    return withReopens(this.o, (reopened) => {
      this.reopened = reopened;
      return this.attempt();
    });
  }

  private async attempt(): Promise<TransferResult> {
    const { client } = this.o;
    const r = await client.filesPutOpen(
      { name: this.o.name, manifest: toWire(this.m), force: this.o.force ?? false },
      this.opts(this.t.longTimeoutMs),
    );
    if (r.status !== 0) throw remoteFailure(r);
    if (r.session.complete) return this.result(true);
    this.handle = r.session.handle;
    const have = fromBitmap(r.session.verified, this.m.chunks.length);
    if (this.resumed < 0) this.resumed = have.size;
    this.bytesDone = 0;
    for (const i of have) this.bytesDone += chunkRange(this.m, i).length;
    let pending = [...Array(this.m.chunks.length).keys()].filter((i) => !have.has(i));
    for (;;) {
      this.progress("transferring");
      await runWindow(pending, this.t.window, (i) => this.sendChunk(i));
      this.progress("verifying");
      this.verifications++;
      const c = await client.filesPutCommit(this.handle, this.opts(this.t.longTimeoutMs));
      if (c.status === files_status.FILES_BAD_CHUNK) {
        if (this.verifications >= this.t.maxVerifications) {
          throw new FileTransferError(
            files_status.FILES_BAD_CHUNK,
            `the server still found ${c.bad.length} bad chunk(s) on disk after ${this.verifications} verifications`,
          );
        }
        this.badOnDisk += c.bad.length;
        for (const i of c.bad) this.bytesDone -= chunkRange(this.m, i).length;
        pending = c.bad;
        continue;
      }
      if (c.status !== 0) throw remoteFailure(c);
      if (
        c.verified.size !== BigInt(this.m.size) ||
        !sameDigest(c.verified.digest, this.m.digest)
      ) {
        throw new FileTransferError(
          files_status.FILES_BAD_CHUNK,
          `the server read back ${c.verified.size} bytes with SHA-256 ${hex(c.verified.digest)}, expected ${this.m.size} bytes with ${hex(this.m.digest)}`,
        );
      }
      await this.source.checkUnchanged();
      this.progress("done");
      return this.result(false);
    }
  }

  private async sendChunk(index: number): Promise<void> {
    for (;;) {
      const attempt = (this.attempts.get(index) ?? 0) + 1;
      this.attempts.set(index, attempt);
      if (attempt > this.t.maxChunkAttempts) throw tooManyAttempts(index, attempt - 1, this.o.path);
      // A re-send re-reads the chunk and checks it against the manifest: if the file changed,
      // that is the error to report, not "damaged in transit".
      const data = await this.source.readChunk(index, { verify: attempt > 1 });
      this.o.faults?.corruptChunk?.(index, data, attempt);
      this.sent++;
      const r = await this.o.client.filesPutChunk(
        { handle: this.handle, index, data },
        this.opts(this.t.chunkTimeoutMs),
      );
      if (r.status === 0) {
        this.bytesDone += data.length;
        this.progress("transferring");
        return;
      }
      if (r.status !== files_status.FILES_BAD_CHUNK) throw remoteFailure(r);
      this.badOnReceipt++;
    }
  }

  private result(alreadyComplete: boolean): TransferResult {
    return {
      name: this.o.name,
      size: this.m.size,
      digest: this.m.digest,
      sha256: hex(this.m.digest),
      chunks: this.m.chunks.length,
      chunkBytes: this.m.chunkBytes,
      alreadyComplete,
      resumedChunks: Math.max(0, this.resumed),
      chunksSent: this.sent,
      badOnReceipt: this.badOnReceipt,
      badOnDisk: this.badOnDisk,
      verifications: this.verifications,
      reopened: this.reopened,
    };
  }
}
