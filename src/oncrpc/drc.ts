/**
 * The duplicate-request cache of an ONC RPC server over UDP.
 *
 * A UDP client retransmits with the same xid (RFC 5531 §9) when a request or its reply is lost,
 * so without a cache a server runs the procedure once per copy that arrives. With it, a copy of
 * a call still running is dropped (the reply to the first will answer it), and a copy of a call
 * already answered gets the cached reply again: the procedure runs at most once per call.
 *
 * The key is the client's address and port, the xid, program, version, procedure and a checksum
 * of the first {@link CHECKSUM_BYTES} bytes of the arguments plus their length (as the Linux NFS
 * server does), so a client that reuses an xid for a different call is not answered from the
 * cache. The cache is bounded in entries and in bytes, and forgets entries older than `maxAgeMs`;
 * what that does and does not cover is in docs/oncrpc.md.
 *
 * Pure: takes `now`; entries live in a `Map` in insertion (= age) order.
 */

/** Limits of a {@link DuplicateRequestCache}. */
export interface DrcOptions {
  /** Most entries kept (in progress and completed). */
  readonly maxEntries: number;
  /** Most bytes of cached replies (plus {@link ENTRY_OVERHEAD_BYTES} per entry). */
  readonly maxBytes: number;
  /** Entries older than this are forgotten (ms). Should exceed the clients' total call timeout. */
  readonly maxAgeMs: number;
}

/** Defaults: 120 s covers a client's whole retransmission window (25 s by default) many times. */
export const DEFAULT_DRC_OPTIONS: DrcOptions = Object.freeze({
  maxEntries: 8192,
  maxBytes: 32 * 1024 * 1024,
  maxAgeMs: 120_000,
});

/** Bytes of the arguments covered by the checksum. */
export const CHECKSUM_BYTES = 256;
/** What one entry costs besides its reply, for the byte limit. */
export const ENTRY_OVERHEAD_BYTES = 128;

/** FNV-1a over the first {@link CHECKSUM_BYTES} bytes of `args`, mixed with its length. */
export function argsChecksum(args: Uint8Array, start = 0, end = args.length): number {
  let h = 0x811c9dc5;
  const stop = Math.min(end, start + CHECKSUM_BYTES);
  for (let i = start; i < stop; i++) {
    h ^= args[i]!;
    h = Math.imul(h, 0x01000193);
  }
  h ^= end - start;
  return Math.imul(h, 0x01000193) >>> 0;
}

/** The identity of one call, for the cache. */
export interface DrcKeyParts {
  readonly address: string;
  readonly port: number;
  readonly xid: number;
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly checksum: number;
}

/** Builds the cache key of a call. */
export function drcKey(p: DrcKeyParts): string {
  return `${p.address}|${p.port}|${p.xid}|${p.program}|${p.version}|${p.procedure}|${p.checksum}`;
}

interface Entry {
  readonly insertedAt: number;
  /** null while the call runs. */
  reply: Uint8Array | null;
  bytes: number;
}

/** What {@link DuplicateRequestCache.begin} found. */
export type DrcLookup =
  /** A new call: it is now recorded as in progress; run it, then `complete` or `abandon` it. */
  | { readonly state: "new" }
  /** A copy of a call still running: drop it. */
  | { readonly state: "in-progress" }
  /** A copy of a call already answered: send this reply again. */
  | { readonly state: "done"; readonly reply: Uint8Array };

const NEW: DrcLookup = Object.freeze({ state: "new" });
const IN_PROGRESS: DrcLookup = Object.freeze({ state: "in-progress" });

/** Counters of a cache. */
export interface DrcStats {
  hits: number;
  inProgressDrops: number;
  misses: number;
  evictions: number;
}

/** See the module comment. */
export class DuplicateRequestCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly options: DrcOptions;
  readonly stats: DrcStats = { hits: 0, inProgressDrops: 0, misses: 0, evictions: 0 };

  constructor(options: Partial<DrcOptions> = {}) {
    this.options = { ...DEFAULT_DRC_OPTIONS, ...options };
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes accounted now (replies plus per-entry overhead). */
  get byteSize(): number {
    return this.bytes;
  }

  /** Looks a call up and, if it is new, records it as in progress. */
  begin(key: string, now: number): DrcLookup {
    this.expire(now);
    const e = this.entries.get(key);
    if (e !== undefined) {
      if (e.reply === null) {
        this.stats.inProgressDrops++;
        return IN_PROGRESS;
      }
      this.stats.hits++;
      return { state: "done", reply: e.reply };
    }
    this.stats.misses++;
    this.entries.set(key, { insertedAt: now, reply: null, bytes: ENTRY_OVERHEAD_BYTES });
    this.bytes += ENTRY_OVERHEAD_BYTES;
    this.evictOverLimits();
    return NEW;
  }

  /**
   * Records the reply of a call that `begin` reported new. The reply is kept by reference: the
   * caller must not modify it. A reply too big for the whole cache is not kept (the entry is
   * dropped, so a later copy would run again: see docs/oncrpc.md).
   */
  complete(key: string, reply: Uint8Array): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    const bytes = ENTRY_OVERHEAD_BYTES + reply.length;
    if (bytes > this.options.maxBytes) {
      this.remove(key, e);
      return;
    }
    this.bytes += bytes - e.bytes;
    e.bytes = bytes;
    e.reply = reply;
    this.evictOverLimits();
  }

  /** Forgets a call that ends without a reply to cache (so a retransmission runs it). */
  abandon(key: string): void {
    const e = this.entries.get(key);
    if (e !== undefined) this.remove(key, e);
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }

  /** Drops entries older than the age limit (the oldest are first in the map). */
  private expire(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.insertedAt < this.options.maxAgeMs) break;
      this.remove(key, e);
      this.stats.evictions++;
    }
  }

  /** Drops the oldest entries while over the entry or byte limit. */
  private evictOverLimits(): void {
    const { maxEntries, maxBytes } = this.options;
    if (this.entries.size <= maxEntries && this.bytes <= maxBytes) return;
    for (const [key, e] of this.entries) {
      if (this.entries.size <= maxEntries && this.bytes <= maxBytes) break;
      this.remove(key, e);
      this.stats.evictions++;
    }
  }
}
