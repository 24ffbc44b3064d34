/**
 * Where small messages are kept while they wait for their acknowledgement: a request until its
 * reply comes (it may have to be sent again), a reply until the client acknowledges it. Copying
 * each into a slice of a shared slab costs one small copy and a view; `Uint8Array.slice()` would
 * allocate a new ArrayBuffer per message, and ArrayBuffers are what a busy transport's garbage
 * collector spends its time on.
 *
 * A slab's memory is written again only once every copy cut from it has been given back with
 * {@link PayloadArena.release}: the current slab then starts over from its beginning (a
 * ping-pong client reuses the same bytes for every call), a full one becomes the next slab. Fresh
 * slab memory is not free — the kernel maps and zeroes its pages on first touch, measured at
 * about 100 ns per small message — so an owner that releases what it no longer references saves
 * that on every message. An owner that never releases gets the plain behaviour: slabs are
 * replaced when full and live on only as long as some message still refers to them.
 */

const SLAB_BYTES = 256 * 1024;
/** Larger messages get their own copy (a slab serves at least this many of the largest). */
const MAX_SHARED_BYTES = SLAB_BYTES / 16;
/** Full slabs with copies still held, tracked for reuse; older ones are left to the GC. */
const MAX_RETIRED_SLABS = 4;

/** A full slab and how many copies cut from it are still held. */
interface Retired {
  readonly slab: Uint8Array;
  live: number;
}

export class PayloadArena {
  private slab: Uint8Array = new Uint8Array(SLAB_BYTES);
  private at = 0;
  /** Copies cut from {@link slab} and not released. */
  private live = 0;
  private retired: Retired[] = [];
  /** A slab whose copies were all released, for when the current one is full. */
  private spare: Uint8Array | null = null;

  /** A copy of `src` (which the caller may then reuse), valid until it is released. */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > MAX_SHARED_BYTES) return src.slice();
    if (this.at + n > SLAB_BYTES) this.nextSlab();
    const start = this.at;
    this.slab.set(src, start);
    // Keep starts 8-byte aligned, as a fresh allocation would be.
    this.at = (start + n + 7) & ~7;
    this.live++;
    return this.slab.subarray(start, start + n);
  }

  /**
   * Gives back a copy this arena made: the caller holds no reference to it any more, nor does
   * anything it handed the copy to (a port may still be sending a datagram that *refers* to it:
   * release only copies that were copied again into their datagrams). Each copy at most once;
   * arrays this arena did not make (large messages' own copies) are ignored.
   */
  release(copy: Uint8Array): void {
    const buffer = copy.buffer;
    if (buffer === this.slab.buffer) {
      // Nothing cut from the current slab is held: start it over.
      if (--this.live === 0) this.at = 0;
      return;
    }
    const retired = this.retired;
    for (let i = 0; i < retired.length; i++) {
      const r = retired[i]!;
      if (r.slab.buffer !== buffer) continue;
      if (--r.live === 0) {
        retired.splice(i, 1);
        this.spare = r.slab;
      }
      return;
    }
  }

  private nextSlab(): void {
    if (this.live > 0) {
      this.retired.push({ slab: this.slab, live: this.live });
      if (this.retired.length > MAX_RETIRED_SLABS) this.retired.shift();
      this.slab = this.spare ?? new Uint8Array(SLAB_BYTES);
      this.spare = null;
    }
    this.at = 0;
    this.live = 0;
  }
}
