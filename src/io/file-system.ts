/**
 * Files and digests, as the file service (`src/files/`) sees them: Node's `fs` and `crypto` in
 * production (`io/node/file-system.ts`), other implementations in tests. The interface is small
 * and POSIX-shaped on purpose — positioned reads and writes, `fsync`, `rename`, `link`,
 * `realpath`, opening without following a final symbolic link (`O_NOFOLLOW`) — because the safety
 * of the file service rests on exactly those semantics.
 *
 * Errors are thrown as the system reports them: an `Error` with a `code` (`ENOENT`, `ENOSPC`,
 * `EACCES`, `ELOOP`, ...), which `files/errors.ts` maps to the protocol's statuses.
 */

/** What `stat`/`lstat`/`FileHandle.stat` say about a file. */
export interface FileInfo {
  readonly size: number;
  /** Modification time, ms since the epoch (fractional: nanosecond resolution where kept). */
  readonly mtimeMs: number;
  /** Device and inode: a file's identity while it exists. */
  readonly dev: number;
  readonly ino: number;
  readonly kind: "file" | "directory" | "symlink" | "other";
}

/** How {@link FileSystem.open} opens. Every mode refuses a symbolic link as the last component. */
export type OpenMode =
  /** Read only; a FIFO or device opens without blocking (and is then refused by its kind). */
  | "read"
  /** Read and write, created (mode 0644, or 0600 when `private`) if absent, never truncated. */
  | "update";

/** An open file. Positions and lengths are in bytes. */
export interface FileHandle {
  /** Reads up to `buffer.length` bytes at `position`; resolves with how many were read (0 at end). */
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** Writes all of `data` at `position`. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Sets the size (a larger size leaves a hole that reads as zeros). */
  truncate(size: number): Promise<void>;
  /** Flushes data and metadata to the device (`fsync`). */
  sync(): Promise<void>;
  stat(): Promise<FileInfo>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** The file operations the file service uses. Paths are absolute POSIX paths. */
export interface FileSystem {
  open(path: string, mode: OpenMode, options?: { readonly private?: boolean }): Promise<FileHandle>;
  /** Follows symbolic links. */
  stat(path: string): Promise<FileInfo>;
  /** Does not follow a final symbolic link. */
  lstat(path: string): Promise<FileInfo>;
  /** The canonical absolute path, every symbolic link resolved (`realpath(3)`). */
  realpath(path: string): Promise<string>;
  /** Atomically replaces `to` (`rename(2)`). */
  rename(from: string, to: string): Promise<void>;
  /** A second name for `from`; fails with `EEXIST` if `to` exists (`link(2)`): a no-clobber rename's first half. */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Reads a whole small file, failing if it is larger than `maxBytes`. */
  readSmallFile(path: string, maxBytes: number): Promise<Uint8Array>;
  /** Flushes a directory's entries to the device (`fsync` on the directory). */
  syncDirectory(path: string): Promise<void>;
}

/** An incremental digest (SHA-256 in production). */
export interface Hasher {
  update(data: Uint8Array): void;
  /** The digest; the hasher cannot be used afterwards. */
  digest(): Uint8Array;
}

/** Makes a fresh {@link Hasher}. */
export type HasherFactory = () => Hasher;
