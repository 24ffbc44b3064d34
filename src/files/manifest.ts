/**
 * Manifests: what a sender read from its disk — size, chunk size, the SHA-256 of the whole file
 * and of every chunk — and the arithmetic around them: choosing a chunk size, chunk ranges,
 * validating a peer's manifest before trusting it, the bitmap of verified chunks, and digesting
 * an open file in one sequential pass (the whole-file digest and every chunk digest together).
 *
 * Pure: file access goes through {@link FileHandle}, hashing through {@link HasherFactory}.
 */
import type { FileHandle, HasherFactory } from "../io/file-system.js";
import { FileTransferError } from "./errors.js";
import {
  FILES_BITMAP_BYTES,
  FILES_DIGEST_BYTES,
  FILES_MAX_CHUNK_BYTES,
  FILES_MAX_CHUNKS,
  files_status,
} from "./gen/files.js";

/** A manifest with a `number` size (files up to 2^53 − 1 bytes). */
export interface Manifest {
  readonly size: number;
  readonly chunkBytes: number;
  /** SHA-256 of the whole file. */
  readonly digest: Uint8Array;
  /** SHA-256 of each chunk, in order. */
  readonly chunks: readonly Uint8Array[];
}

/** Smallest chunk a peer may ask for. */
export const MIN_CHUNK_BYTES = 4096;
/** The chunk size used for files small enough: 64 KiB (45 full Ethernet-sized datagrams). */
export const DEFAULT_CHUNK_BYTES = 65536;

/**
 * The chunk size for a file of `size` bytes: `preferred` (default 64 KiB), doubled until the file
 * fits in {@link FILES_MAX_CHUNKS} chunks. Throws `too_big` past 64 MiB chunks (1 TiB files).
 */
export function chooseChunkBytes(size: number, preferred = DEFAULT_CHUNK_BYTES): number {
  let c = preferred;
  if (!isPowerOfTwo(c) || c < MIN_CHUNK_BYTES || c > FILES_MAX_CHUNK_BYTES) {
    throw new RangeError(`chunk size ${c} is not a power of two in [4 KiB, 64 MiB]`);
  }
  while (Math.ceil(size / c) > FILES_MAX_CHUNKS) {
    c *= 2;
    if (c > FILES_MAX_CHUNK_BYTES) {
      throw new FileTransferError(
        files_status.FILES_TOO_BIG,
        `${size} bytes is more than the protocol carries (${FILES_MAX_CHUNKS} chunks of 64 MiB)`,
      );
    }
  }
  return c;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Number of chunks of a file (0 for an empty file). */
export function chunkCount(size: number, chunkBytes: number): number {
  return Math.ceil(size / chunkBytes);
}

/** Byte offset and length of chunk `index`. */
export function chunkRange(
  m: Pick<Manifest, "size" | "chunkBytes">,
  index: number,
): { offset: number; length: number } {
  const offset = index * m.chunkBytes;
  return { offset, length: Math.min(m.chunkBytes, m.size - offset) };
}

/**
 * Checks a manifest received from a peer before anything is allocated or written for it: a
 * power-of-two chunk size within limits, a size below 2^53, one 32-byte digest per chunk.
 * Throws `bad_manifest` (or `too_big`).
 */
export function checkManifest(m: {
  size: bigint;
  chunk_bytes: number;
  digest: Uint8Array;
  chunks: readonly Uint8Array[];
}): Manifest {
  const bad = (why: string) => new FileTransferError(files_status.FILES_BAD_MANIFEST, why);
  if (m.size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FileTransferError(files_status.FILES_TOO_BIG, `size ${m.size} is beyond 2^53`);
  }
  const size = Number(m.size);
  if (
    !isPowerOfTwo(m.chunk_bytes) ||
    m.chunk_bytes < MIN_CHUNK_BYTES ||
    m.chunk_bytes > FILES_MAX_CHUNK_BYTES
  ) {
    throw bad(`chunk size ${m.chunk_bytes} is not a power of two in [4 KiB, 64 MiB]`);
  }
  const n = chunkCount(size, m.chunk_bytes);
  if (n > FILES_MAX_CHUNKS) throw bad(`${n} chunks is more than ${FILES_MAX_CHUNKS}`);
  if (m.chunks.length !== n) {
    throw bad(`${m.chunks.length} chunk digests for ${n} chunks of ${size} bytes`);
  }
  if (m.digest.length !== FILES_DIGEST_BYTES) throw bad("whole-file digest is not 32 bytes");
  return { size, chunkBytes: m.chunk_bytes, digest: m.digest, chunks: m.chunks };
}

/** The manifest as files.x encodes it. */
export function toWire(m: Manifest): {
  size: bigint;
  chunk_bytes: number;
  digest: Uint8Array;
  chunks: Uint8Array[];
} {
  return {
    size: BigInt(m.size),
    chunk_bytes: m.chunkBytes,
    digest: m.digest,
    chunks: [...m.chunks],
  };
}

/** Lower-case hex of a digest. */
export function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Whether two digests are equal. */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A set of chunk indexes as files.x's bitmap (bit i of byte i/8, least significant first). */
export function toBitmap(set: ReadonlySet<number>, count: number): Uint8Array {
  const out = new Uint8Array(Math.min(Math.ceil(count / 8), FILES_BITMAP_BYTES));
  for (const i of set) if (i < count) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** The chunk indexes set in a bitmap, below `count`. */
export function fromBitmap(bitmap: Uint8Array, count: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < count && i >> 3 < bitmap.length; i++) {
    if ((bitmap[i >> 3]! & (1 << (i & 7))) !== 0) out.add(i);
  }
  return out;
}

/** Reads up to `length` bytes at `offset` (fewer only at the end of the file). */
export async function readFully(
  file: FileHandle,
  buffer: Uint8Array,
  offset: number,
): Promise<number> {
  let at = 0;
  while (at < buffer.length) {
    const n = await file.read(buffer.subarray(at), offset + at);
    if (n === 0) break;
    at += n;
  }
  return at;
}

/** What one pass over a file found: its digest, each chunk's, and the bytes actually read. */
export interface DigestPass {
  readonly digest: Uint8Array;
  readonly chunks: Uint8Array[];
  /** Bytes read; less than the expected size when the file is shorter. */
  readonly bytesRead: number;
}

/**
 * Reads `size` bytes of `file` from the start, chunk by chunk, computing the SHA-256 of the
 * whole and of each chunk in the same pass. `onChunk` sees each chunk's byte count (progress).
 */
export async function digestFile(
  file: FileHandle,
  options: {
    readonly size: number;
    readonly chunkBytes: number;
    readonly hash: HasherFactory;
    readonly onChunk?: (bytes: number) => void;
  },
): Promise<DigestPass> {
  const whole = options.hash();
  const chunks: Uint8Array[] = [];
  const n = chunkCount(options.size, options.chunkBytes);
  const buffer = new Uint8Array(Math.min(options.chunkBytes, Math.max(options.size, 1)));
  let bytesRead = 0;
  for (let i = 0; i < n; i++) {
    const { offset, length } = chunkRange(options, i);
    const got = await readFully(file, buffer.subarray(0, length), offset);
    const bytes = buffer.subarray(0, got);
    whole.update(bytes);
    const h = options.hash();
    h.update(bytes);
    chunks.push(h.digest());
    bytesRead += got;
    options.onChunk?.(got);
    if (got < length) break;
  }
  return { digest: whole.digest(), chunks, bytesRead };
}
