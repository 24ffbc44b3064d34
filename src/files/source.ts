/**
 * The sending side's view of a file on its disk: open it, read it once to build the
 * {@link Manifest} (the digests are of the file as read from this disk), then hand out chunks,
 * checking before each read that the path still names the same, unchanged file — a source that
 * vanished or changed during the transfer is reported as `changed`, never sent as a mixture.
 *
 * Used by `sendFile` (the client's file) and by the server for downloads.
 */
import type { FileHandle, FileInfo, FileSystem, HasherFactory } from "../io/file-system.js";
import { errorCode, FileTransferError, fileError } from "./errors.js";
import { files_status } from "./gen/files.js";
import {
  chooseChunkBytes,
  chunkRange,
  digestFile,
  type Manifest,
  readFully,
  sameDigest,
} from "./manifest.js";

/** An open source file. */
export interface Source {
  readonly path: string;
  readonly manifest: Manifest;
  /**
   * Chunk `index`, read from disk now. With `verify`, its digest is checked against the manifest
   * (a mismatch means the file changed: `changed`).
   */
  readChunk(index: number, options?: { readonly verify?: boolean }): Promise<Uint8Array>;
  /** Throws `changed` if the path no longer names the file the manifest describes, as it was. */
  checkUnchanged(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link openSource}. */
export interface OpenSourceOptions {
  readonly fs: FileSystem;
  readonly hash: HasherFactory;
  readonly path: string;
  /** How to show the path in messages (default: the path). */
  readonly label?: string;
  /** Preferred chunk size (default 64 KiB; doubled for very large files). */
  readonly chunkBytes?: number;
  /** Progress of the digest pass, bytes. */
  readonly onDigest?: (bytes: number) => void;
}

function sameFile(a: FileInfo, b: FileInfo): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Opens `path` (not following a final symbolic link), reads and digests it. */
export async function openSource(options: OpenSourceOptions): Promise<Source> {
  const { fs, path } = options;
  const label = options.label ?? path;
  let file: FileHandle;
  try {
    file = await fs.open(path, "read");
  } catch (e) {
    throw fileError(e, `opening ${label}`);
  }
  try {
    const before = await file.stat();
    if (before.kind !== "file") {
      throw new FileTransferError(files_status.FILES_NOT_A_FILE, `${label} is not a regular file`);
    }
    const chunkBytes = chooseChunkBytes(before.size, options.chunkBytes);
    const pass = await digestFile(file, {
      size: before.size,
      chunkBytes,
      hash: options.hash,
      ...(options.onDigest === undefined ? {} : { onChunk: options.onDigest }),
    });
    const after = await file.stat();
    if (pass.bytesRead !== before.size || !sameFile(before, after)) {
      throw new FileTransferError(
        files_status.FILES_CHANGED,
        `${label} changed while it was being read; try again when it is stable`,
      );
    }
    const manifest: Manifest = {
      size: before.size,
      chunkBytes,
      digest: pass.digest,
      chunks: pass.chunks,
    };
    return new OpenSource(fs, options.hash, path, label, file, before, manifest);
  } catch (e) {
    await file.close().catch(() => {});
    throw fileError(e, `reading ${label}`);
  }
}

class OpenSource implements Source {
  constructor(
    private readonly fs: FileSystem,
    private readonly hash: HasherFactory,
    readonly path: string,
    private readonly label: string,
    private readonly file: FileHandle,
    private readonly identity: FileInfo,
    readonly manifest: Manifest,
  ) {}

  async checkUnchanged(): Promise<void> {
    let now: FileInfo;
    try {
      now = await this.fs.lstat(this.path);
    } catch (e) {
      if (errorCode(e) === "ENOENT") {
        throw new FileTransferError(
          files_status.FILES_CHANGED,
          `${this.label} vanished during the transfer`,
        );
      }
      throw fileError(e, `checking ${this.label}`);
    }
    if (!sameFile(now, this.identity)) {
      throw new FileTransferError(
        files_status.FILES_CHANGED,
        `${this.label} changed during the transfer (size, time or identity differ)`,
      );
    }
  }

  async readChunk(index: number, options: { readonly verify?: boolean } = {}): Promise<Uint8Array> {
    const m = this.manifest;
    if (!Number.isInteger(index) || index < 0 || index >= m.chunks.length) {
      throw new FileTransferError(files_status.FILES_BAD_MANIFEST, `no chunk ${index}`);
    }
    await this.checkUnchanged();
    const { offset, length } = chunkRange(m, index);
    const data = new Uint8Array(length);
    let got: number;
    try {
      got = await readFully(this.file, data, offset);
    } catch (e) {
      throw fileError(e, `reading ${this.label}`);
    }
    if (got !== length) {
      throw new FileTransferError(files_status.FILES_CHANGED, `${this.label} became shorter`);
    }
    if (options.verify === true) {
      const h = this.hash();
      h.update(data);
      if (!sameDigest(h.digest(), m.chunks[index]!)) {
        throw new FileTransferError(
          files_status.FILES_CHANGED,
          `${this.label} changed during the transfer (chunk ${index} no longer matches)`,
        );
      }
    }
    return data;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
