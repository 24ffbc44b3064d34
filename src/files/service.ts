/**
 * The file service's server side: the handlers of FILES_PROG version 1 (files.x) over one served
 * folder. Uploads are received through a {@link Sink} (checked on receipt, read back and verified
 * at commit, renamed into place only when verified); downloads are read through a {@link Source}.
 *
 * Contract: a handler never throws for a file problem — every failure (a hostile name, a full
 * disk, a refused permission, a vanished source) is answered as a `files_status` with a message,
 * and the server goes on serving. Transfers are held in a bounded table (`maxTransfers`, 64),
 * forgotten after `idleMs` (10 min) without a call; a new upload of a name takes over an earlier
 * one of the same name (the client that was killed and restarted), whose handle becomes stale.
 */
import type { Clock } from "../io/clock.js";
import type { FileSystem, HasherFactory } from "../io/file-system.js";
import type { Random } from "../io/random.js";
import { FileTransferError, fileError, isFileTransferError, STATUS_NAMES } from "./errors.js";
import {
  type FilesProgV1Handlers,
  type files_commit_res,
  type files_get_chunk_res,
  type files_get_open_res,
  type files_put_open_res,
  type files_res,
  files_status,
} from "./gen/files.js";
import { checkManifest, hex, toBitmap, toWire } from "./manifest.js";
import { resolveInside } from "./names.js";
import { openSink, type Sink, type SinkFaults } from "./sink.js";
import { openSource, type Source } from "./source.js";

/** Test-only fault injection on the server's sending side (downloads). */
export interface SourceFaults {
  /** Called with each chunk read for a download, before it is handed to the transport. */
  corruptChunk?(index: number, data: Uint8Array, attempt: number): void;
}

/** Options of {@link createFileService}. */
export interface FileServiceOptions {
  readonly fs: FileSystem;
  readonly hash: HasherFactory;
  readonly random: Random;
  readonly clock: Clock;
  /** The served folder, canonical (from `realpath`). */
  readonly root: string;
  /** Transfers open at once (default 64); more are refused with `busy`. */
  readonly maxTransfers?: number;
  /** A transfer without a call for this long is forgotten (default 10 minutes). */
  readonly idleMs?: number;
  /** One line per finished or failed transfer. */
  readonly log?: (line: string) => void;
  /** Test only. */
  readonly sinkFaults?: SinkFaults;
  /** Test only. */
  readonly sourceFaults?: SourceFaults;
}

/** The running service. */
export interface FileService {
  readonly handlers: FilesProgV1Handlers;
  /** Transfers open now. */
  readonly openTransfers: number;
  /** Closes every open transfer (partial uploads stay on disk for resume). */
  close(): Promise<void>;
}

type Transfer =
  | { kind: "put"; name: string; path: string; sink: Sink; usedMs: number }
  | { kind: "get"; name: string; source: Source; usedMs: number; reads: Map<number, number> };

/** What a failure looks like on the wire. */
function failure(e: unknown, doing: string): { status: Exclude<files_status, 0>; message: string } {
  const f = isFileTransferError(e) ? e : fileError(e, doing);
  const status = f.status === files_status.FILES_OK ? files_status.FILES_IO : f.status;
  return { status, message: f.detail };
}

/** Creates the service; register `service.handlers` for `FilesProgV1` on a server. */
export function createFileService(options: FileServiceOptions): FileService {
  const { fs, hash, random, clock, root } = options;
  const maxTransfers = options.maxTransfers ?? 64;
  const idleMs = options.idleMs ?? 600_000;
  const log = options.log ?? (() => {});
  const table = new Map<bigint, Transfer>();

  const newHandle = (): bigint => {
    const b = random.bytes(8);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    return v === 0n || table.has(v) ? newHandle() : v;
  };
  const forget = async (handle: bigint): Promise<void> => {
    const t = table.get(handle);
    if (t === undefined) return;
    table.delete(handle);
    await (t.kind === "put" ? t.sink.close() : t.source.close()).catch(() => {});
  };
  const sweep = async (): Promise<void> => {
    const now = clock.now();
    for (const [h, t] of table) if (now - t.usedMs > idleMs) await forget(h);
  };
  const admit = async (): Promise<void> => {
    await sweep();
    if (table.size >= maxTransfers) {
      throw new FileTransferError(
        files_status.FILES_BUSY,
        `${maxTransfers} transfers are open; try again later`,
      );
    }
  };
  const find = <K extends Transfer["kind"]>(
    handle: bigint,
    kind: K,
  ): Extract<Transfer, { kind: K }> => {
    const t = table.get(handle);
    if (t === undefined || t.kind !== kind) {
      throw new FileTransferError(
        files_status.FILES_STALE,
        "unknown transfer (the server restarted or forgot it); open it again",
      );
    }
    t.usedMs = clock.now();
    return t as Extract<Transfer, { kind: K }>;
  };

  const handlers: FilesProgV1Handlers = {
    async filesPutOpen(args): Promise<files_put_open_res> {
      try {
        const target = await resolveInside(fs, root, args.name);
        const manifest = checkManifest(args.manifest);
        for (const [h, t] of table) if (t.kind === "put" && t.path === target.path) await forget(h);
        await admit();
        const sink = await openSink({
          fs,
          hash,
          dir: target.dir,
          base: target.base,
          label: args.name,
          manifest,
          force: args.force,
          ...(options.sinkFaults === undefined ? {} : { faults: options.sinkFaults }),
        });
        if (sink.complete) {
          log(`${args.name}: already in place with SHA-256 ${hex(manifest.digest)}`);
          return {
            status: 0,
            session: { handle: 0n, verified: new Uint8Array(0), complete: true },
          };
        }
        const handle = newHandle();
        table.set(handle, {
          kind: "put",
          name: args.name,
          path: target.path,
          sink,
          usedMs: clock.now(),
        });
        const verified = toBitmap(sink.resumed, manifest.chunks.length);
        return { status: 0, session: { handle, verified, complete: false } };
      } catch (e) {
        const f = failure(e, `receiving ${args.name}`);
        log(`${args.name}: refused: [${STATUS_NAMES[f.status]}] ${f.message}`);
        return f;
      }
    },

    async filesPutChunk(args): Promise<files_res> {
      try {
        await find(args.handle, "put").sink.writeChunk(args.index, args.data);
        return { status: 0 };
      } catch (e) {
        return failure(e, "writing");
      }
    },

    async filesPutCommit(handle): Promise<files_commit_res> {
      try {
        const t = find(handle, "put");
        const v = await t.sink.verify();
        if (!v.ok) return { status: files_status.FILES_BAD_CHUNK, bad: v.bad };
        await t.sink.install();
        table.delete(handle);
        log(
          `${t.name}: received ${v.size} bytes, SHA-256 ${hex(v.digest)}, verified by reading it back from disk`,
        );
        return { status: 0, verified: { size: BigInt(v.size), digest: v.digest } };
      } catch (e) {
        const f = failure(e, "committing");
        log(`commit failed: ${f.message}`);
        // BAD_CHUNK carries a list in a commit's answer; a failure never uses that arm.
        return f.status === files_status.FILES_BAD_CHUNK
          ? { status: files_status.FILES_IO, message: f.message }
          : { status: f.status, message: f.message };
      }
    },

    async filesGetOpen(name): Promise<files_get_open_res> {
      try {
        const target = await resolveInside(fs, root, name);
        await admit();
        const source = await openSource({ fs, hash, path: target.path, label: name });
        const handle = newHandle();
        table.set(handle, { kind: "get", name, source, usedMs: clock.now(), reads: new Map() });
        return { status: 0, session: { handle, manifest: toWire(source.manifest) } };
      } catch (e) {
        const f = failure(e, `opening ${name}`);
        log(`${name}: refused: [${STATUS_NAMES[f.status]}] ${f.message}`);
        return f;
      }
    },

    async filesGetChunk(args): Promise<files_get_chunk_res> {
      try {
        const t = find(args.handle, "get");
        const data = await t.source.readChunk(args.index);
        const attempt = (t.reads.get(args.index) ?? 0) + 1;
        t.reads.set(args.index, attempt);
        options.sourceFaults?.corruptChunk?.(args.index, data, attempt);
        return { status: 0, data };
      } catch (e) {
        return failure(e, "reading");
      }
    },

    async filesClose(handle): Promise<void> {
      const t = table.get(handle);
      if (t?.kind === "get") log(`${t.name}: sent`);
      await forget(handle);
    },
  };

  return {
    handlers,
    get openTransfers() {
      return table.size;
    },
    async close() {
      for (const h of [...table.keys()]) await forget(h);
    },
  };
}
