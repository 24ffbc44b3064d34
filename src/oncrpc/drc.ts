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
 * Pure: takes `now`.
 */
import { U32Map } from "./u32-map.js";

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

/** A call's key for the cache: its identity (compared field by field, hashed to find it). */
export type DrcKey = DrcKeyParts;

/** Builds the cache key of a call. */
export function drcKey(p: DrcKeyParts): DrcKey {
  return p;
}

/** A 32-bit hash of every field of a key. */
function hashKey(k: DrcKeyParts): number {
  let h = 0x811c9dc5;
  const a = k.address;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ k.port, 0x01000193);
  h = Math.imul(h ^ k.xid, 0x01000193);
  h = Math.imul(h ^ k.program, 0x01000193);
  h = Math.imul(h ^ k.version, 0x01000193);
  h = Math.imul(h ^ k.procedure, 0x01000193);
  h = Math.imul(h ^ k.checksum, 0x01000193);
  return h >>> 0;
}

/** One cached call. u32 fields are kept as int32 (small integers in V8, no heap numbers). */
class Entry {
  readonly address: string;
  readonly port: number;
  readonly xid: number;
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly checksum: number;
  readonly hash: number;
  readonly insertedAt: number;
  /** null while the call runs. */
  reply: Uint8Array | null = null;
  bytes = ENTRY_OVERHEAD_BYTES;
  /** The next entry with the same hash. */
  next: Entry | null = null;
  /** Removed from the table (it may still sit in the age queue). */
  dead = false;

  constructor(k: DrcKeyParts, hash: number, now: number) {
    this.address = k.address;
    this.port = k.port;
    this.xid = k.xid | 0;
    this.program = k.program | 0;
    this.version = k.version | 0;
    this.procedure = k.procedure | 0;
    this.checksum = k.checksum | 0;
    this.hash = hash;
    this.insertedAt = now;
  }

  matches(k: DrcKeyParts): boolean {
    return (
      this.xid === (k.xid | 0) &&
      this.checksum === (k.checksum | 0) &&
      this.port === k.port &&
      this.procedure === (k.procedure | 0) &&
      this.program === (k.program | 0) &&
      this.version === (k.version | 0) &&
      this.address === k.address
    );
  }
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

/**
 * See the module comment. Entries are found through a hash table of u32 hashes (`U32Map`, with a
 * chain per hash) and aged through a queue in insertion order; neither is a `Map`, whose
 * per-call churn keeps dead entries alive through young-generation collections (see
 * `u32-map.ts`).
 */
export class DuplicateRequestCache {
  private readonly table: U32Map<Entry>;
  /** Entries in insertion (= age) order, from `head` on; dead ones are skipped. */
  private queue: (Entry | undefined)[] = [];
  private head = 0;
  private count = 0;
  private bytes = 0;
  private readonly options: DrcOptions;
  readonly stats: DrcStats = { hits: 0, inProgressDrops: 0, misses: 0, evictions: 0 };

  constructor(options: Partial<DrcOptions> = {}) {
    this.options = { ...DEFAULT_DRC_OPTIONS, ...options };
    // Sized for every entry the cache may hold (up to a point), so that a full cache never
    // rehashes on a request's path.
    this.table = new U32Map<Entry>(Math.min(this.options.maxEntries + 1, 4096));
  }

  /** Entries held now. */
  get size(): number {
    return this.count;
  }

  /** Bytes accounted now (replies plus per-entry overhead). */
  get byteSize(): number {
    return this.bytes;
  }

  /** Looks a call up and, if it is new, records it as in progress. */
  begin(key: DrcKey, now: number): DrcLookup {
    this.expire(now);
    const hash = hashKey(key);
    const e = this.find(key, hash);
    if (e !== undefined) {
      if (e.reply === null) {
        this.stats.inProgressDrops++;
        return IN_PROGRESS;
      }
      this.stats.hits++;
      return { state: "done", reply: e.reply };
    }
    this.stats.misses++;
    const entry = new Entry(key, hash, now);
    const first = this.table.get(hash);
    if (first !== undefined) entry.next = first;
    this.table.set(hash, entry);
    this.queue.push(entry);
    this.count++;
    this.bytes += entry.bytes;
    this.evictOverLimits();
    return NEW;
  }

  /**
   * Records the reply of a call that `begin` reported new. The reply is kept by reference: the
   * caller must not modify it. A reply too big for the whole cache is not kept (the entry is
   * dropped, so a later copy would run again: see docs/oncrpc.md).
   */
  complete(key: DrcKey, reply: Uint8Array): void {
    const e = this.find(key, hashKey(key));
    if (e === undefined) return;
    const bytes = ENTRY_OVERHEAD_BYTES + reply.length;
    if (bytes > this.options.maxBytes) {
      this.remove(e);
      return;
    }
    this.bytes += bytes - e.bytes;
    e.bytes = bytes;
    e.reply = reply;
    this.evictOverLimits();
  }

  /** Forgets a call that ends without a reply to cache (so a retransmission runs it). */
  abandon(key: DrcKey): void {
    const e = this.find(key, hashKey(key));
    if (e !== undefined) this.remove(e);
  }

  /** Forgets everything. */
  clear(): void {
    this.table.clear();
    this.queue = [];
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
  }

  private find(key: DrcKey, hash: number): Entry | undefined {
    let e = this.table.get(hash);
    while (e !== undefined && !e.matches(key)) e = e.next ?? undefined;
    return e;
  }

  private remove(e: Entry): void {
    if (e.dead) return;
    e.dead = true;
    const first = this.table.get(e.hash)!;
    if (first === e) {
      if (e.next === null) this.table.delete(e.hash);
      else this.table.set(e.hash, e.next);
    } else {
      let p = first;
      while (p.next !== e) p = p.next!;
      p.next = e.next;
    }
    e.next = null;
    this.count--;
    this.bytes -= e.bytes;
  }

  /** The oldest live entry (dropping dead ones off the front of the queue). */
  private oldest(): Entry | undefined {
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.dead) q[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    return this.queue[this.head];
  }

  /** Drops entries older than the age limit (the oldest are first in the queue). */
  private expire(now: number): void {
    for (let e = this.oldest(); e !== undefined; e = this.oldest()) {
      if (now - e.insertedAt < this.options.maxAgeMs) break;
      this.remove(e);
      this.stats.evictions++;
    }
  }

  /** Drops the oldest entries while over the entry or byte limit. */
  private evictOverLimits(): void {
    const { maxEntries, maxBytes } = this.options;
    while (this.count > maxEntries || this.bytes > maxBytes) {
      const e = this.oldest();
      if (e === undefined) break;
      this.remove(e);
      this.stats.evictions++;
    }
  }
}
