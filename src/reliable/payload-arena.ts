/**
 * Where small messages are kept while they wait for their acknowledgement: a request until its
 * reply comes (it may have to be sent again), a reply until the client acknowledges it. Copying
 * each into a slice of a shared slab costs one small copy and a view; `Uint8Array.slice()` would
 * allocate a new ArrayBuffer per message, and ArrayBuffers are what a busy transport's garbage
 * collector spends its time on. Slabs are never written twice: a full one is replaced, and lives
 * on only as long as some message still refers to it.
 */

const SLAB_BYTES = 256 * 1024;
/** Larger messages get their own copy (a slab serves at least this many of the largest). */
const MAX_SHARED_BYTES = SLAB_BYTES / 16;

export class PayloadArena {
  private slab = new Uint8Array(SLAB_BYTES);
  private at = 0;

  /** A copy of `src` (which the caller may then reuse), valid for as long as it is referenced. */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > MAX_SHARED_BYTES) return src.slice();
    if (this.at + n > SLAB_BYTES) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.at = 0;
    }
    const start = this.at;
    this.slab.set(src, start);
    // Keep starts 8-byte aligned, as a fresh allocation would be.
    this.at = (start + n + 7) & ~7;
    return this.slab.subarray(start, start + n);
  }
}
