/**
 * `lupine/files`: the end-to-end checked file transfer over Lupine's reliable transport — the
 * programmatic API behind `lupine serve-files`, `lupine send` and `lupine fetch`
 * (docs/file-transfer.md).
 *
 * ```ts
 * const served = await serveFiles({ dir: "/srv/files", port: 7070 });
 * const r = await sendFile("big.iso", "lupine://127.0.0.1:7070/isos/big.iso");
 * console.log(r.sha256); // the server read the file back from its disk and found this digest
 * await fetchFile("lupine://127.0.0.1:7070/isos/big.iso", "copy.iso");
 * await served.close();
 * ```
 *
 * This module wires the pure parts (`service.ts`, `send.ts`, `fetch.ts`) to Node: its file
 * system and SHA-256 (`io/node/file-system.ts`), its clock and randomness, and `lupine://`.
 */

import type { LupineServerSchemeOptions } from "../connect/lupine-scheme.js";
import { hostPort, parseTarget } from "../connect/targets.js";
import { createClient, createServer, type Server } from "../connect.js";
import type { FileSystem, HasherFactory } from "../io/file-system.js";
import { nodeClock } from "../io/node/clock.js";
import { nodeFileSystem, nodeSha256 } from "../io/node/file-system.js";
import { nodeRandom } from "../io/node/random.js";
import type { RemoteAddress } from "../runtime/context.js";
import { silentLogger } from "../runtime/logger.js";
import type { ClientTransport } from "../runtime/transport.js";
import { connectLupine } from "../transport/lupine-node.js";
import { FileTransferError } from "./errors.js";
import { fetchWith } from "./fetch.js";
import { FilesProgV1, files_status } from "./gen/files.js";
import { baseName, dirName, splitName } from "./names.js";
import { type SendFaults, sendWith } from "./send.js";
import { createFileService, type FileService, type SourceFaults } from "./service.js";
import type { SinkFaults } from "./sink.js";
import type { TransferResult, TransferTuning } from "./transfer.js";

export { FileTransferError, isFileTransferError, STATUS_NAMES } from "./errors.js";
export { type FetchWithOptions, fetchWith } from "./fetch.js";
export { FilesProgV1 } from "./gen/files.js";
export { hex } from "./manifest.js";
export { isLoopback, LOOPBACK_DATAGRAM_BYTES } from "./names.js";
export { type SendFaults, type SendWithOptions, sendWith } from "./send.js";
export {
  createFileService,
  type FileService,
  type FileServiceOptions,
  type SourceFaults,
} from "./service.js";
export type { SinkFaults } from "./sink.js";
export type { TransferProgress, TransferResult, TransferTuning } from "./transfer.js";

/** Options of {@link serveFiles}. */
export interface ServeFilesOptions {
  /** The folder to serve; names cannot leave it. */
  readonly dir: string;
  /** Address to bind (default 127.0.0.1; `0.0.0.0` or `::` for every interface). */
  readonly host?: string;
  /** Port (default 0: ephemeral). */
  readonly port?: number;
  /** One line per transfer (default: none). */
  readonly log?: (line: string) => void;
  readonly maxTransfers?: number;
  readonly idleMs?: number;
  /** Test only. */
  readonly sinkFaults?: SinkFaults;
  readonly sourceFaults?: SourceFaults;
  /** Test only: another file system or digest. */
  readonly fs?: FileSystem;
  readonly hash?: HasherFactory;
  /** Transport settings (`maxDatagramBytes`, buffers, ...); see docs/lupine.md. */
  readonly lupine?: LupineServerSchemeOptions;
}

/** A running file server. */
export interface ServedFiles {
  readonly address: RemoteAddress;
  /** `lupine://host:port` of the server. */
  readonly url: string;
  /** The canonical served folder. */
  readonly root: string;
  readonly server: Server;
  readonly service: FileService;
  close(): Promise<void>;
}

/** Serves a folder over `lupine://`. */
export async function serveFiles(o: ServeFilesOptions): Promise<ServedFiles> {
  const fs = o.fs ?? nodeFileSystem;
  let root: string;
  try {
    root = await fs.realpath(o.dir);
    if ((await fs.stat(root)).kind !== "directory") throw new Error("not a directory");
  } catch (e) {
    throw new FileTransferError(
      files_status.FILES_NOT_FOUND,
      `cannot serve ${o.dir}: ${String(e)}`,
    );
  }
  const service = createFileService({
    fs,
    hash: o.hash ?? nodeSha256,
    random: nodeRandom,
    clock: nodeClock,
    root,
    ...(o.log === undefined ? {} : { log: o.log }),
    ...(o.maxTransfers === undefined ? {} : { maxTransfers: o.maxTransfers }),
    ...(o.idleMs === undefined ? {} : { idleMs: o.idleMs }),
    ...(o.sinkFaults === undefined ? {} : { sinkFaults: o.sinkFaults }),
    ...(o.sourceFaults === undefined ? {} : { sourceFaults: o.sourceFaults }),
  });
  const server = createServer({
    logger: silentLogger,
    closeGraceMs: 1000,
    ...(o.lupine === undefined ? {} : { lupine: o.lupine }),
  });
  server.register(FilesProgV1, service.handlers);
  const host = o.host ?? "127.0.0.1";
  const [address] = await server.listen(`lupine://${hostPort(host, o.port ?? 0)}`);
  return {
    address: address!,
    url: `lupine://${hostPort(address!.address, address!.port)}`,
    root,
    server,
    service,
    async close() {
      await server.close();
      await service.close();
    },
  };
}

/** Where a `lupine://host:port/NAME` target points. */
export interface FileTarget {
  readonly host: string;
  readonly port: number;
  /** The name on the server ("" when the target ends at the port). */
  readonly name: string;
}

/** Parses `lupine://host:port/NAME` (NAME percent-decoded; `[::1]` for IPv6). */
export function parseFileTarget(target: string): FileTarget {
  const t = parseTarget(target);
  if (t.scheme !== "lupine" || t.port === undefined) {
    throw new TypeError(`bad target '${target}': expected lupine://host:port/NAME`);
  }
  let name: string;
  try {
    name = decodeURIComponent(t.path);
  } catch {
    throw new TypeError(`bad target '${target}': bad percent-encoding in the name`);
  }
  return { host: t.host, port: t.port, name };
}

/** Options of {@link sendFile} and {@link fetchFile}. */
export interface FileClientOptions extends TransferTuning {
  /** Replace an existing file at the receiver. */
  readonly force?: boolean;
  /** A transport to use (its statistics stay visible to the caller); default: a new `lupine://` one. */
  readonly transport?: ClientTransport;
  /** Preferred chunk size (send only; default 64 KiB). */
  readonly chunkBytes?: number;
  /** Test only. */
  readonly sendFaults?: SendFaults;
  readonly sinkFaults?: SinkFaults;
  readonly fs?: FileSystem;
  readonly hash?: HasherFactory;
}

async function withClient<T>(
  target: FileTarget,
  o: FileClientOptions,
  run: (client: ReturnType<typeof createClient<typeof FilesProgV1>>) => Promise<T>,
): Promise<T> {
  const transport = o.transport ?? (await connectLupine({ host: target.host, port: target.port }));
  const client = createClient(FilesProgV1, transport);
  try {
    return await run(client);
  } finally {
    if (o.transport === undefined) await transport.close();
  }
}

/**
 * Sends the local file `path` to `lupine://host:port/NAME` (NAME defaults to the file's name);
 * resolves when the server has read it back from its disk and found the sender's SHA-256.
 * Rejects with a `FileTransferError` or an `RpcError`; an interrupted transfer resumes when run
 * again.
 */
export async function sendFile(
  path: string,
  target: string,
  options: FileClientOptions = {},
): Promise<TransferResult> {
  const t = parseFileTarget(target);
  const name = t.name === "" ? baseName(path) : t.name;
  splitName(name);
  const fs = options.fs ?? nodeFileSystem;
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (e) {
    throw new FileTransferError(files_status.FILES_NOT_FOUND, `cannot read ${path}: ${String(e)}`);
  }
  return withClient(t, options, (client) =>
    sendWith({
      clock: nodeClock,
      ...options,
      client,
      fs,
      hash: options.hash ?? nodeSha256,
      path: real,
      name,
      ...(options.sendFaults === undefined ? {} : { faults: options.sendFaults }),
    }),
  );
}

/**
 * Fetches `lupine://host:port/NAME` into `path` (default: NAME's last component in the current
 * folder; a folder: NAME's last component in it); resolves when the file has been read back from
 * this disk, found equal to the server's SHA-256, and renamed into place.
 */
export async function fetchFile(
  target: string,
  path?: string,
  options: FileClientOptions = {},
): Promise<TransferResult> {
  const t = parseFileTarget(target);
  splitName(t.name);
  const fs = options.fs ?? nodeFileSystem;
  let local = path ?? baseName(t.name);
  const isDir = await fs.stat(local).then(
    (s) => s.kind === "directory",
    () => false,
  );
  if (isDir) local = `${local.replace(/\/+$/, "")}/${baseName(t.name)}`;
  const base = baseName(local);
  if (base === "" || base === "." || base === "..") {
    throw new FileTransferError(files_status.FILES_BAD_NAME, `bad local file name ${local}`);
  }
  let dir: string;
  try {
    dir = await fs.realpath(dirName(local));
  } catch (e) {
    throw new FileTransferError(
      files_status.FILES_NOT_FOUND,
      `no folder for ${local}: ${String(e)}`,
    );
  }
  return withClient(t, options, (client) =>
    fetchWith({
      clock: nodeClock,
      ...options,
      client,
      fs,
      hash: options.hash ?? nodeSha256,
      name: t.name,
      dir,
      base,
      ...(options.sinkFaults === undefined ? {} : { faults: options.sinkFaults }),
    }),
  );
}
