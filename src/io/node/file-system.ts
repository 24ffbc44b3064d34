/**
 * The {@link FileSystem} and SHA-256 {@link Hasher} of production: `node:fs/promises` and
 * `node:crypto`. Every open passes `O_NOFOLLOW`, so a symbolic link as the last component fails
 * with `ELOOP` instead of being followed; reads pass `O_NONBLOCK`, so opening a FIFO does not
 * hang (its kind is refused afterwards).
 */
import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { link, lstat, open, realpath, rename, stat, unlink } from "node:fs/promises";
import type {
  FileHandle,
  FileInfo,
  FileSystem,
  Hasher,
  HasherFactory,
  OpenMode,
} from "../file-system.js";

const { O_RDONLY, O_RDWR, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

function info(s: Stats): FileInfo {
  const kind = s.isFile()
    ? "file"
    : s.isDirectory()
      ? "directory"
      : s.isSymbolicLink()
        ? "symlink"
        : "other";
  return { size: s.size, mtimeMs: s.mtimeMs, dev: s.dev, ino: s.ino, kind };
}

async function openHandle(
  path: string,
  mode: OpenMode,
  options: { readonly private?: boolean } = {},
): Promise<FileHandle> {
  const flags =
    mode === "read" ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK : O_RDWR | O_CREAT | O_NOFOLLOW;
  const h = await open(path, flags, options.private === true ? 0o600 : 0o644);
  let closed = false;
  return {
    async read(buffer, position) {
      const { bytesRead } = await h.read(buffer, 0, buffer.length, position);
      return bytesRead;
    },
    async write(data, position) {
      let at = 0;
      while (at < data.length) {
        const { bytesWritten } = await h.write(data, at, data.length - at, position + at);
        if (bytesWritten === 0)
          throw Object.assign(new Error("write wrote nothing"), { code: "EIO" });
        at += bytesWritten;
      }
    },
    truncate: (size) => h.truncate(size),
    sync: () => h.sync(),
    stat: async () => info(await h.stat()),
    async close() {
      if (closed) return;
      closed = true;
      await h.close();
    },
  };
}

/** Node's file system, with the semantics {@link FileSystem} asks for. */
export const nodeFileSystem: FileSystem = {
  open: openHandle,
  stat: async (path) => info(await stat(path)),
  lstat: async (path) => info(await lstat(path)),
  realpath: (path) => realpath(path),
  rename: (from, to) => rename(from, to),
  link: (from, to) => link(from, to),
  unlink: (path) => unlink(path),
  async readSmallFile(path, maxBytes) {
    const h = await openHandle(path, "read");
    try {
      const s = await h.stat();
      if (s.kind !== "file" || s.size > maxBytes) {
        throw Object.assign(new Error(`${path}: not a regular file of at most ${maxBytes} bytes`), {
          code: "EFBIG",
        });
      }
      const buf = new Uint8Array(s.size);
      let at = 0;
      while (at < buf.length) {
        const n = await h.read(buf.subarray(at), at);
        if (n === 0) break;
        at += n;
      }
      return buf.subarray(0, at);
    } finally {
      await h.close();
    }
  },
  async syncDirectory(path) {
    const h = await open(path, O_RDONLY | O_DIRECTORY);
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  },
};

/** SHA-256 (FIPS 180-4) through `node:crypto`. */
export const nodeSha256: HasherFactory = (): Hasher => {
  const h = createHash("sha256");
  return {
    update: (data) => {
      h.update(data);
    },
    digest: () => new Uint8Array(h.digest()),
  };
};
