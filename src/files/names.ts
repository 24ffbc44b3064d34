/**
 * Names of files inside a served folder, and where a name may lead.
 *
 * Two layers, because string checks alone cannot keep a name inside a folder (a component may be
 * a symbolic link planted earlier): {@link splitName} refuses, by text, what can never be valid —
 * empty names, absolute paths, `.` and `..` components, NUL, reserved partial-file names — and
 * {@link resolveInside} then asks the file system: the parent folder's `realpath` must lie inside
 * the folder's `realpath`, and the last component must not be a symbolic link (`lstat`; files
 * are then opened with `O_NOFOLLOW`, so a link planted after the check is refused too).
 */
import type { FileSystem } from "../io/file-system.js";
import { errorCode, FileTransferError, fileError } from "./errors.js";
import { FILES_NAME_MAX, files_status } from "./gen/files.js";

/** Suffixes of the files a receiver keeps beside a transfer in progress. */
export const PART_SUFFIX = ".lupine-part";
export const STATE_SUFFIX = ".lupine-state";
const TEMP_SUFFIX = ".lupine-tmp";

const MAX_COMPONENT_BYTES = 255;
const encoder = new TextEncoder();

function badName(name: string, why: string): FileTransferError {
  return new FileTransferError(files_status.FILES_BAD_NAME, `${JSON.stringify(name)}: ${why}`);
}

/**
 * The components of a relative name (`a/b.txt` → `["a", "b.txt"]`), or `bad_name`: empty,
 * absolute, `.`/`..`/empty components, NUL or control characters, over 1024 bytes (255 per
 * component), or a partial-file name (`*.lupine-part`, `*.lupine-state`).
 */
export function splitName(name: string): string[] {
  if (name.length === 0) throw badName(name, "empty name");
  if (encoder.encode(name).length > FILES_NAME_MAX) {
    throw badName(name.slice(0, 40), `longer than ${FILES_NAME_MAX} bytes`);
  }
  if (name.startsWith("/")) throw badName(name, "absolute paths are refused");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badName(name, "control characters are refused");
  const parts = name.split("/");
  for (const p of parts) {
    if (p === "") throw badName(name, "empty path component");
    if (p === "." || p === "..") throw badName(name, `'${p}' components are refused`);
    if (encoder.encode(p).length > MAX_COMPONENT_BYTES) {
      throw badName(name, `a component is longer than ${MAX_COMPONENT_BYTES} bytes`);
    }
  }
  const last = parts[parts.length - 1]!;
  if ([PART_SUFFIX, STATE_SUFFIX, TEMP_SUFFIX].some((s) => last.endsWith(s))) {
    throw badName(name, "names of partial transfers are reserved");
  }
  return parts;
}

/** Where a name leads inside a folder: the real parent folder, and the file's paths there. */
export interface ResolvedName {
  /** The name as given. */
  readonly name: string;
  /** The parent folder, canonical (every link resolved) and inside the served folder. */
  readonly dir: string;
  /** The last component. */
  readonly base: string;
  /** `dir/base`. */
  readonly path: string;
}

/** The partial file and the state file kept beside `base` while it is being received. */
export function partPaths(
  dir: string,
  base: string,
): { part: string; state: string; temp: string } {
  return {
    part: `${dir}/.${base}${PART_SUFFIX}`,
    state: `${dir}/.${base}${STATE_SUFFIX}`,
    temp: `${dir}/.${base}${TEMP_SUFFIX}`,
  };
}

/** Whether `path` is `root` or lies below it (both canonical). */
export function isInside(root: string, path: string): boolean {
  if (root === "/") return path.startsWith("/");
  return path === root || path.startsWith(`${root}/`);
}

/**
 * Resolves `name` inside `root` (a canonical folder path, from `realpath`): the parent folder
 * must exist and its `realpath` must lie inside `root`; the last component must not be a
 * symbolic link. Throws `bad_name` (escapes, is a link), `not_found` (no such folder), or the
 * mapped system error.
 */
export async function resolveInside(
  fs: FileSystem,
  root: string,
  name: string,
): Promise<ResolvedName> {
  const parts = splitName(name);
  const base = parts.pop()!;
  const parent = parts.length === 0 ? root : `${root}/${parts.join("/")}`;
  let dir: string;
  try {
    dir = await fs.realpath(parent);
  } catch (e) {
    if (errorCode(e) === "ENOENT" || errorCode(e) === "ENOTDIR") {
      throw new FileTransferError(
        files_status.FILES_NOT_FOUND,
        `${JSON.stringify(name)}: no such folder in the served folder`,
      );
    }
    throw fileError(e, `resolving ${JSON.stringify(name)}`);
  }
  if (!isInside(root, dir)) {
    throw badName(name, "leads outside the served folder (through a symbolic link)");
  }
  const path = `${dir}/${base}`;
  try {
    const info = await fs.lstat(path);
    if (info.kind === "symlink") throw badName(name, "is a symbolic link (refused)");
  } catch (e) {
    if (errorCode(e) !== "ENOENT") throw fileError(e, `checking ${JSON.stringify(name)}`);
  }
  return { name, dir, base, path };
}

/** The last component of a POSIX path (`a/b.txt` → `b.txt`; trailing slashes ignored). */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** The folder part of a POSIX path (`a/b.txt` → `a`, `b.txt` → `.`, `/b` → `/`). */
export function dirName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  if (at < 0) return ".";
  return at === 0 ? "/" : trimmed.slice(0, at);
}

/**
 * Largest UDP payload over loopback (its MTU is 65,536): between two processes on one machine the
 * file service uses datagrams this large, about 1.5× the throughput of Ethernet-sized ones.
 */
export const LOOPBACK_DATAGRAM_BYTES = 65507;

/** Whether an address literal is a loopback address (127.0.0.0/8, ::1). */
export function isLoopback(address: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(address) || address === "::1" || address === "localhost";
}
