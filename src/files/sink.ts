/**
 * The receiving side's view of a file being written — where the end-to-end check happens.
 *
 * Chunks go into a partial file `.NAME.lupine-part` beside the target, described by a state file
 * `.NAME.lupine-state` (size, chunk size, whole-file SHA-256) written before any chunk. Each chunk
 * is checked against its digest on receipt (cheap, catches most damage early) and written at its
 * offset. {@link Sink.verify} is the check that counts: `fsync`, then read the whole file back
 * through a fresh descriptor, digest it, and compare with the sender's digests; chunks whose
 * bytes on disk differ are named, to be sent again. Only after that does {@link Sink.install}
 * move the file into place: `rename` (replace) or `link` + `unlink` (never replace), then `fsync`
 * of the folder.
 *
 * Resume: when a state file for the same file (size, chunk size, digest) is found, the partial
 * file is kept and every chunk already in it is read and checked against its digest; the ones
 * that match count as received. Nothing on disk is trusted without that check.
 */
import type { FileHandle, FileSystem, HasherFactory } from "../io/file-system.js";
import { errorCode, FileTransferError, fileError } from "./errors.js";
import { files_status } from "./gen/files.js";
import { chunkRange, digestFile, hex, type Manifest, sameDigest } from "./manifest.js";
import { partPaths } from "./names.js";

/** Test-only fault injection on the receiving side. */
export interface SinkFaults {
  /** Called after chunk `index` was written to the partial file `part` (e.g. to damage it on disk). */
  afterWrite?(where: {
    part: string;
    index: number;
    offset: number;
    length: number;
  }): Promise<void>;
}

/** Options of {@link openSink}. */
export interface OpenSinkOptions {
  readonly fs: FileSystem;
  readonly hash: HasherFactory;
  /** Canonical folder of the target, and the target's name in it. */
  readonly dir: string;
  readonly base: string;
  /** How to show the target in messages. */
  readonly label: string;
  readonly manifest: Manifest;
  /** Replace an existing target. */
  readonly force: boolean;
  readonly faults?: SinkFaults;
}

/** The outcome of {@link Sink.verify}. */
export type Verification =
  | { readonly ok: true; readonly size: number; readonly digest: Uint8Array }
  | { readonly ok: false; readonly bad: number[] };

/** A file being received. */
export interface Sink {
  /** The target already holds exactly this file (checked by reading it); nothing to do. */
  readonly complete: boolean;
  /** Chunks found intact in a partial file left by an interrupted transfer. */
  readonly resumed: ReadonlySet<number>;
  /** Checks chunk `index` against its digest (`bad_chunk` if it differs) and writes it. */
  writeChunk(index: number, data: Uint8Array): Promise<void>;
  /** Flushes, reads the whole file back from disk and compares digests. */
  verify(): Promise<Verification>;
  /** Moves the verified file into place and forgets the partial state. */
  install(): Promise<void>;
  /** Closes the partial file (kept on disk for resume unless installed). Idempotent. */
  close(): Promise<void>;
}

const STATE_FORMAT = "lupine-transfer/1";
const STATE_MAX_BYTES = 4096;

function stateText(m: Manifest): Uint8Array {
  return new TextEncoder().encode(
    `${JSON.stringify({ format: STATE_FORMAT, size: m.size, chunkBytes: m.chunkBytes, sha256: hex(m.digest) })}\n`,
  );
}

async function stateMatches(fs: FileSystem, path: string, m: Manifest): Promise<boolean> {
  try {
    const text = new TextDecoder().decode(await fs.readSmallFile(path, STATE_MAX_BYTES));
    const s = JSON.parse(text) as Record<string, unknown>;
    return (
      s.format === STATE_FORMAT &&
      s.size === m.size &&
      s.chunkBytes === m.chunkBytes &&
      s.sha256 === hex(m.digest)
    );
  } catch {
    return false; // absent, unreadable or not ours: start afresh
  }
}

/** Opens (or resumes) the receiving of `manifest` into `dir/base`. */
export async function openSink(o: OpenSinkOptions): Promise<Sink> {
  const target = `${o.dir}/${o.base}`;
  const paths = partPaths(o.dir, o.base);
  try {
    if (await existingMatches(o, target)) return new DoneSink();
    const resume = await stateMatches(o.fs, paths.state, o.manifest);
    const part = await o.fs.open(paths.part, "update");
    try {
      if ((await part.stat()).kind !== "file") {
        throw new FileTransferError(files_status.FILES_NOT_A_FILE, `${paths.part} is not a file`);
      }
      const resumed = resume ? await intactChunks(o, part) : new Set<number>();
      if (!resume) {
        await part.truncate(0);
        await writeState(o.fs, paths, o.manifest, o.dir);
      }
      await part.truncate(o.manifest.size);
      return new PartSink(o, target, paths, part, resumed);
    } catch (e) {
      await part.close().catch(() => {});
      throw e;
    }
  } catch (e) {
    throw fileError(e, `receiving ${o.label}`);
  }
}

/** Whether the target exists; `exists` when it does and must not be replaced. */
async function existingMatches(o: OpenSinkOptions, target: string): Promise<boolean> {
  let kind: string;
  let size: number;
  try {
    ({ kind, size } = await o.fs.lstat(target));
  } catch (e) {
    if (errorCode(e) === "ENOENT") return false;
    throw e;
  }
  if (kind === "symlink") {
    throw new FileTransferError(files_status.FILES_BAD_NAME, `${o.label} is a symbolic link`);
  }
  if (kind !== "file") {
    throw new FileTransferError(files_status.FILES_NOT_A_FILE, `${o.label} is not a regular file`);
  }
  if (size === o.manifest.size) {
    const f = await o.fs.open(target, "read");
    try {
      const pass = await digestFile(f, { size, chunkBytes: o.manifest.chunkBytes, hash: o.hash });
      if (pass.bytesRead === size && sameDigest(pass.digest, o.manifest.digest)) return true;
    } finally {
      await f.close();
    }
  }
  if (!o.force) {
    throw new FileTransferError(
      files_status.FILES_EXISTS,
      `${o.label} exists and differs (ask to overwrite it: --force)`,
    );
  }
  return false;
}

async function writeState(
  fs: FileSystem,
  paths: { state: string; temp: string },
  m: Manifest,
  dir: string,
): Promise<void> {
  const t = await fs.open(paths.temp, "update");
  try {
    await t.truncate(0);
    await t.write(stateText(m), 0);
    await t.sync();
  } finally {
    await t.close();
  }
  await fs.rename(paths.temp, paths.state);
  await fs.syncDirectory(dir);
}

async function intactChunks(o: OpenSinkOptions, part: FileHandle): Promise<Set<number>> {
  const have = (await part.stat()).size;
  const m = o.manifest;
  const pass = await digestFile(part, {
    size: Math.min(have, m.size),
    chunkBytes: m.chunkBytes,
    hash: o.hash,
  });
  const out = new Set<number>();
  pass.chunks.forEach((d, i) => {
    if (chunkRange(m, i).length <= have - i * m.chunkBytes && sameDigest(d, m.chunks[i]!))
      out.add(i);
  });
  return out;
}

/** The target was already in place. */
class DoneSink implements Sink {
  readonly complete = true;
  readonly resumed = new Set<number>();
  writeChunk(): Promise<void> {
    return Promise.reject(new FileTransferError(files_status.FILES_STALE, "already complete"));
  }
  verify(): Promise<Verification> {
    return Promise.reject(new FileTransferError(files_status.FILES_STALE, "already complete"));
  }
  install(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class PartSink implements Sink {
  readonly complete = false;
  private installed = false;

  constructor(
    private readonly o: OpenSinkOptions,
    private readonly target: string,
    private readonly paths: { part: string; state: string },
    private readonly part: FileHandle,
    readonly resumed: ReadonlySet<number>,
  ) {}

  async writeChunk(index: number, data: Uint8Array): Promise<void> {
    const m = this.o.manifest;
    if (!Number.isInteger(index) || index < 0 || index >= m.chunks.length) {
      throw new FileTransferError(files_status.FILES_BAD_MANIFEST, `no chunk ${index}`);
    }
    const { offset, length } = chunkRange(m, index);
    const h = this.o.hash();
    h.update(data);
    if (data.length !== length || !sameDigest(h.digest(), m.chunks[index]!)) {
      throw new FileTransferError(
        files_status.FILES_BAD_CHUNK,
        `chunk ${index} of ${this.o.label} does not match its digest; send it again`,
      );
    }
    try {
      await this.part.write(data, offset);
    } catch (e) {
      throw fileError(e, `writing ${this.o.label} (the partial file is kept for resume)`);
    }
    await this.o.faults?.afterWrite?.({ part: this.paths.part, index, offset, length });
  }

  async verify(): Promise<Verification> {
    const m = this.o.manifest;
    let pass: Awaited<ReturnType<typeof digestFile>>;
    try {
      await this.part.sync();
      const readBack = await this.o.fs.open(this.paths.part, "read");
      try {
        pass = await digestFile(readBack, {
          size: m.size,
          chunkBytes: m.chunkBytes,
          hash: this.o.hash,
        });
      } finally {
        await readBack.close();
      }
    } catch (e) {
      throw fileError(e, `reading ${this.o.label} back (the partial file is kept for resume)`);
    }
    const bad: number[] = [];
    for (let i = 0; i < m.chunks.length; i++) {
      const d = pass.chunks[i];
      if (d === undefined || !sameDigest(d, m.chunks[i]!)) bad.push(i);
    }
    if (bad.length > 0) return { ok: false, bad };
    if (!sameDigest(pass.digest, m.digest)) {
      throw new FileTransferError(
        files_status.FILES_BAD_MANIFEST,
        `every chunk of ${this.o.label} matches its digest but the whole file does not: the manifest is inconsistent`,
      );
    }
    return { ok: true, size: pass.bytesRead, digest: pass.digest };
  }

  async install(): Promise<void> {
    const { fs, dir, label } = this.o;
    try {
      await this.part.close();
      if (this.o.force) {
        await fs.rename(this.paths.part, this.target);
      } else {
        try {
          await fs.link(this.paths.part, this.target); // fails with EEXIST: never replaces
        } catch (e) {
          if (errorCode(e) === "EEXIST") {
            throw new FileTransferError(
              files_status.FILES_EXISTS,
              `${label} appeared during the transfer (ask to overwrite it: --force; the verified partial file is kept)`,
            );
          }
          throw e;
        }
        await fs.unlink(this.paths.part);
      }
      await fs.syncDirectory(dir);
      await fs.unlink(this.paths.state).catch(() => {});
      await fs.syncDirectory(dir);
      this.installed = true;
    } catch (e) {
      throw fileError(e, `moving ${label} into place`);
    }
  }

  async close(): Promise<void> {
    if (!this.installed) await this.part.close();
  }
}
