import { XdrError } from "./error.js";
import { Quadruple } from "./quadruple.js";

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const UINT_MAX = 0xffffffff;
const HYPER_MIN = -(1n << 63n);
const HYPER_MAX = (1n << 63n) - 1n;
const UHYPER_MAX = (1n << 64n) - 1n;
/** Opaques at least this long are referenced, not copied, by {@link XdrWriter.finishChunks}. */
const ZERO_COPY_MIN = 64 * 1024;

const encoder = new TextEncoder();

/**
 * Writes XDR (RFC 4506) into one growing buffer.
 *
 * Every method checks its value (integer range, bound, fixed length) and throws `XdrError` with
 * the output offset on a bad one, so a bad value never produces bad bytes. Generated encoders call
 * these methods directly. A writer can be {@link reset} and reused; {@link finish} returns a copy,
 * so the result stays valid after reuse.
 *
 * Large opaques (≥ 64 KiB) are kept by reference: {@link finishChunks} returns the message as a
 * list of segments without copying them, which lets a transport send a 1 GiB argument without
 * holding it twice. {@link finish} joins the segments.
 */
export class XdrWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written to `buf` since the last flushed chunk. */
  private pos = 0;
  /** Earlier segments, when large opaques were referenced; null while there are none. */
  private chunks: Uint8Array[] | null = null;
  private chunkBytes = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunkBytes + this.pos;
  }

  /** Size of the current buffer in bytes (grows as needed). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Forgets what was written; keeps the buffer for reuse. */
  reset(): void {
    this.pos = 0;
    this.chunks = null;
    this.chunkBytes = 0;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private fail(detail: string): never {
    throw new XdrError(detail, this.length);
  }

  writeInt(v: number): void {
    if (!Number.isInteger(v) || v < INT_MIN || v > INT_MAX) this.fail(`int out of range: ${v}`);
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  writeUint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > UINT_MAX) this.fail(`unsigned int out of range: ${v}`);
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** An enum value (RFC 4506 §4.3); membership is checked by the enum's codec. */
  writeEnum(v: number): void {
    this.writeInt(v);
  }

  writeBool(v: boolean): void {
    if (typeof v !== "boolean") this.fail(`bool expected, got ${typeof v}`);
    this.writeUint(v ? 1 : 0);
  }

  writeHyper(v: bigint): void {
    if (typeof v !== "bigint" || v < HYPER_MIN || v > HYPER_MAX) {
      this.fail(`hyper out of range: ${String(v)}`);
    }
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  writeUhyper(v: bigint): void {
    if (typeof v !== "bigint" || v < 0n || v > UHYPER_MAX) {
      this.fail(`unsigned hyper out of range: ${String(v)}`);
    }
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  writeFloat(v: number): void {
    if (typeof v !== "number") this.fail(`float expected, got ${typeof v}`);
    if (this.pos + 4 > this.buf.length) this.grow(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  writeDouble(v: number): void {
    if (typeof v !== "number") this.fail(`double expected, got ${typeof v}`);
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  writeQuadruple(v: Quadruple): void {
    if (!(v instanceof Quadruple)) this.fail("Quadruple expected");
    this.writeRaw(v.bytes);
  }

  /** Fixed-length opaque (RFC 4506 §4.9): exactly `length` bytes, then padding. */
  writeFixedOpaque(v: Uint8Array, length: number): void {
    if (!(v instanceof Uint8Array)) this.fail("Uint8Array expected");
    if (v.length !== length) this.fail(`fixed opaque needs ${length} bytes, got ${v.length}`);
    this.writeBytesPadded(v);
  }

  /** Variable-length opaque (RFC 4506 §4.10): length, bytes, padding; `max` inclusive. */
  writeVarOpaque(v: Uint8Array, max = UINT_MAX): void {
    if (!(v instanceof Uint8Array)) this.fail("Uint8Array expected");
    if (v.length > max) this.fail(`opaque longer than its bound: ${v.length} > ${max}`);
    this.writeUint(v.length);
    this.writeBytesPadded(v);
  }

  /** String (RFC 4506 §4.11) as UTF-8; `max` bounds the byte length. */
  writeString(v: string, max = UINT_MAX): void {
    if (typeof v !== "string") this.fail(`string expected, got ${typeof v}`);
    const start = this.pos;
    // Room for the length, the worst-case UTF-8 size and padding.
    const worst = v.length * 3;
    if (this.pos + 4 + worst + 3 > this.buf.length) this.grow(4 + worst + 3);
    let n = 0;
    const body = this.pos + 4;
    if (v.length <= 64) {
      let ascii = true;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        this.buf[body + i] = c;
      }
      n = ascii ? v.length : encoder.encodeInto(v, this.buf.subarray(body)).written;
    } else {
      n = encoder.encodeInto(v, this.buf.subarray(body)).written;
    }
    if (n > max) {
      this.pos = start;
      this.fail(`string longer than its bound: ${n} bytes > ${max}`);
    }
    this.view.setUint32(start, n);
    this.pos = body + n;
    this.pad(n);
  }

  /**
   * Checks an array's length before its elements are written (RFC 4506 §4.12, §4.13) and writes
   * the count for a variable-length array. `fixed`: the length must equal `bound`.
   */
  writeArrayLength(v: readonly unknown[], bound: number, fixed: boolean): void {
    if (!Array.isArray(v)) this.fail("array expected");
    if (fixed) {
      if (v.length !== bound) this.fail(`fixed array needs ${bound} elements, got ${v.length}`);
    } else {
      if (v.length > bound) this.fail(`array longer than its bound: ${v.length} > ${bound}`);
      this.writeUint(v.length);
    }
  }

  /** Appends bytes as they are (no length, no padding). */
  writeRaw(v: Uint8Array): void {
    if (this.pos + v.length > this.buf.length) this.grow(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  private writeBytesPadded(v: Uint8Array): void {
    if (v.length >= ZERO_COPY_MIN) {
      this.flushChunk();
      this.chunks!.push(v);
      this.chunkBytes += v.length;
    } else {
      this.writeRaw(v);
    }
    this.pad(v.length);
  }

  private flushChunk(): void {
    if (this.chunks === null) this.chunks = [];
    if (this.pos > 0) {
      this.chunks.push(this.buf.slice(0, this.pos));
      this.chunkBytes += this.pos;
      this.pos = 0;
    }
  }

  private pad(n: number): void {
    const p = (4 - (n & 3)) & 3;
    if (p === 0) return;
    if (this.pos + p > this.buf.length) this.grow(p);
    for (let i = 0; i < p; i++) this.buf[this.pos++] = 0;
  }

  /** The bytes written, as one new array (valid after {@link reset}). */
  finish(): Uint8Array {
    if (this.chunks === null) return this.buf.slice(0, this.pos);
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.finishChunks()) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * The bytes written, as a view into the writer's own buffer — no copy — or null when large
   * opaques were referenced (then use {@link finishChunks}). The view is valid until the next
   * write or {@link reset}: copy it (e.g. into a longer-lived slab) before reusing the writer.
   */
  written(): Uint8Array | null {
    return this.chunks === null ? this.buf.subarray(0, this.pos) : null;
  }

  /** The bytes written, as segments; large opaques are the caller's own arrays, not copies. */
  finishChunks(): Uint8Array[] {
    if (this.chunks === null) return [this.buf.slice(0, this.pos)];
    const out = this.chunks.slice();
    if (this.pos > 0) out.push(this.buf.slice(0, this.pos));
    return out;
  }

  /**
   * Overwrites 4 bytes at `offset` (from the start of the current buffer segment) with an unsigned
   * int: for headers whose length is known only after the body is written.
   */
  patchUint(offset: number, v: number): void {
    if (this.chunks !== null || offset + 4 > this.pos) this.fail("patch outside the buffer");
    this.view.setUint32(offset, v);
  }
}
