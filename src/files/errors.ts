/**
 * The file service's errors: one {@link FileTransferError} carrying a protocol status
 * (`files_status` of files.x), and the mapping of system error codes (`ENOSPC`, `EACCES`, ...) to
 * those statuses, so every failure — local or reported by the peer — reads the same way:
 * `[no_space] server: no space left on device writing big.iso (partial file kept for resume)`.
 */
import { files_status } from "./gen/files.js";

/** A `files_status` value. */
export type FilesStatus = files_status;

/** Short names of the statuses, for messages and tests. */
export const STATUS_NAMES: Readonly<Record<FilesStatus, string>> = {
  [files_status.FILES_OK]: "ok",
  [files_status.FILES_EXISTS]: "exists",
  [files_status.FILES_BAD_NAME]: "bad_name",
  [files_status.FILES_NOT_FOUND]: "not_found",
  [files_status.FILES_ACCESS]: "access",
  [files_status.FILES_NO_SPACE]: "no_space",
  [files_status.FILES_TOO_BIG]: "too_big",
  [files_status.FILES_CHANGED]: "changed",
  [files_status.FILES_STALE]: "stale",
  [files_status.FILES_BAD_CHUNK]: "bad_chunk",
  [files_status.FILES_BUSY]: "busy",
  [files_status.FILES_NOT_A_FILE]: "not_a_file",
  [files_status.FILES_IO]: "io",
  [files_status.FILES_BAD_MANIFEST]: "bad_manifest",
};

/** A failed file operation: `status` says what kind, the message says what and where. */
export class FileTransferError extends Error {
  override readonly name = "FileTransferError";
  readonly status: FilesStatus;
  /** True when the peer reported it (`server: ...`), false when it happened here. */
  readonly remote: boolean;

  constructor(
    status: FilesStatus,
    message: string,
    options: { remote?: boolean; cause?: unknown } = {},
  ) {
    super(`[${STATUS_NAMES[status]}] ${message}`, { cause: options.cause });
    this.status = status;
    this.remote = options.remote ?? false;
  }

  /** The message without the `[status]` prefix (what goes on the wire). */
  get detail(): string {
    return this.message.replace(/^\[[a-z_]+\] /, "");
  }
}

/** Whether `e` is a {@link FileTransferError} (by name and shape, so a second copy matches). */
export function isFileTransferError(e: unknown): e is FileTransferError {
  return (
    e instanceof Error &&
    e.name === "FileTransferError" &&
    typeof (e as { status?: unknown }).status === "number"
  );
}

const BY_CODE: Readonly<Record<string, [FilesStatus, string]>> = {
  ENOENT: [files_status.FILES_NOT_FOUND, "no such file or directory"],
  ENOTDIR: [files_status.FILES_NOT_FOUND, "a component of the path is not a directory"],
  EEXIST: [files_status.FILES_EXISTS, "the file exists"],
  EACCES: [files_status.FILES_ACCESS, "permission denied"],
  EPERM: [files_status.FILES_ACCESS, "operation not permitted"],
  EROFS: [files_status.FILES_ACCESS, "read-only file system"],
  ENOSPC: [files_status.FILES_NO_SPACE, "no space left on device"],
  EDQUOT: [files_status.FILES_NO_SPACE, "disk quota exceeded"],
  EFBIG: [files_status.FILES_TOO_BIG, "file too large for the file system"],
  ELOOP: [files_status.FILES_BAD_NAME, "is a symbolic link (refused)"],
  EISDIR: [files_status.FILES_NOT_A_FILE, "is a directory"],
  EMFILE: [files_status.FILES_BUSY, "too many open files"],
  ENFILE: [files_status.FILES_BUSY, "too many open files in the system"],
};

/** The system error code (`ENOSPC`) of `e`, if it has one. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Turns anything thrown by a file operation into a {@link FileTransferError}: a
 * `FileTransferError` stays as it is; a system error becomes its status, with `doing` ("writing
 * big.iso") in the message; anything else is `io`.
 */
export function fileError(e: unknown, doing: string): FileTransferError {
  if (isFileTransferError(e)) return e;
  const code = errorCode(e);
  const known = code === undefined ? undefined : BY_CODE[code];
  if (known !== undefined) {
    return new FileTransferError(known[0], `${known[1]} ${doing}`, { cause: e });
  }
  const text = e instanceof Error ? e.message : String(e);
  return new FileTransferError(files_status.FILES_IO, `${doing}: ${text}`, { cause: e });
}
