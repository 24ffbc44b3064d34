import { XdrError } from "./error.js";
import { Quadruple } from "./quadruple.js";

const decoder = new TextDecoder("utf-8");

/**
 * Reads XDR (RFC 4506) from a byte range through a `DataView`.
 *
 * Every read checks the bytes left first; every length is checked against its bound and against
 * the bytes left **before** anything is allocated, so a hostile length costs nothing. All
 * failures are `XdrError` with the offset. Opaques are returned as views into the input (no
 * copy): the input must not be reused while they live.
 *
 * `depth` is for decoders of recursive types: they count nesting against {@link maxDepth} so
 * that deep input ends in an `XdrError`, not a stack overflow (linked lists are decoded in a loop
 * and do not count).
 */
export class XdrReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Next byte to read. */
  pos: number;
  /** One past the last byte that may be read. */
  readonly end: number;
  /** Current nesting of recursive (non-list) types; see {@link maxDepth}. */
  depth = 0;
  /** Deepest nesting of recursive types allowed. */
  maxDepth = 2000;

  /**
   * Reads `bytes[start, end)`. `view`, when given, must be a DataView over exactly `bytes` (same
   * buffer and offset): a caller decoding many messages from one datagram passes the datagram's
   * view instead of having one made per message.
   */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length, view?: DataView) {
    if (start < 0 || end > bytes.length || start > end) {
      throw new XdrError(`bad range ${start}..${end} of ${bytes.length} bytes`, start);
    }
    this.bytes = bytes;
    this.view =
      view !== undefined &&
      view.buffer === bytes.buffer &&
      view.byteOffset === bytes.byteOffset &&
      view.byteLength === bytes.byteLength
        ? view
        : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (this.pos + n > this.end) {
      throw new XdrError(
        `need ${n} bytes at offset ${this.pos}, have ${this.end - this.pos}`,
        this.pos,
      );
    }
  }

  /** Throws unless every byte was consumed. */
  assertEnd(): void {
    if (this.pos !== this.end) {
      throw new XdrError(`${this.end - this.pos} unexpected bytes at offset ${this.pos}`, this.pos);
    }
  }

  fail(detail: string, offset = this.pos): never {
    throw new XdrError(detail, offset);
  }

  readInt(): number {
    if (this.pos + 4 > this.end) this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  readUint(): number {
    if (this.pos + 4 > this.end) this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** An enum's value; the enum's codec checks membership (RFC 4506 §4.3). */
  readEnum(): number {
    return this.readInt();
  }

  /** RFC 4506 §4.4: only 0 and 1 are valid. */
  readBool(): boolean {
    const v = this.readUint();
    if (v > 1) this.fail(`bool must be 0 or 1, got ${v}`, this.pos - 4);
    return v === 1;
  }

  readHyper(): bigint {
    if (this.pos + 8 > this.end) this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  readUhyper(): bigint {
    if (this.pos + 8 > this.end) this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  readFloat(): number {
    if (this.pos + 4 > this.end) this.need(4);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    if (this.pos + 8 > this.end) this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  readQuadruple(): Quadruple {
    this.need(16);
    const q = new Quadruple(this.bytes.subarray(this.pos, this.pos + 16));
    this.pos += 16;
    return q;
  }

  /** Fixed-length opaque of `length` bytes plus padding (a view, not a copy). */
  readFixedOpaque(length: number): Uint8Array {
    this.need(length + ((4 - (length & 3)) & 3));
    const v = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    this.skipPadding(length);
    return v;
  }

  /** Variable-length opaque with at most `max` bytes (a view, not a copy). */
  readVarOpaque(max = 0xffffffff): Uint8Array {
    const n = this.readLength(max, 1, "opaque");
    return this.readFixedOpaque(n);
  }

  /** String with at most `max` bytes, decoded as UTF-8 (invalid sequences become U+FFFD). */
  readString(max = 0xffffffff): string {
    const n = this.readLength(max, 1, "string");
    this.need(n + ((4 - (n & 3)) & 3));
    const start = this.pos;
    let s: string;
    if (n <= 32) {
      s = "";
      let i = 0;
      for (; i < n; i++) {
        const c = this.bytes[start + i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i < n) s = decoder.decode(this.bytes.subarray(start, start + n));
    } else {
      s = decoder.decode(this.bytes.subarray(start, start + n));
    }
    this.pos = start + n;
    this.skipPadding(n);
    return s;
  }

  /**
   * Reads a count (array length, opaque or string length) and checks it against its bound and
   * against the bytes left — each element needs at least `minElementSize` bytes — before the
   * caller allocates anything. Elements that encode to no bytes at all (`void`, `opaque[0]`, a
   * struct of such) are counted as one byte each: otherwise any count would "fit", and a 4-byte
   * message could make the caller allocate and loop over 2^32 − 1 elements.
   */
  readLength(max: number, minElementSize: number, what = "array"): number {
    const at = this.pos;
    const n = this.readUint();
    if (n > max) this.fail(`${what} length ${n} exceeds its bound ${max}`, at);
    const need = n * (minElementSize > 0 ? minElementSize : 1);
    if (need > this.end - this.pos) {
      this.fail(
        `${what} length ${n} needs at least ${need} bytes at offset ${this.pos}, have ${this.end - this.pos}`,
        at,
      );
    }
    return n;
  }

  /** Checks that a fixed-length array of `count` elements can fit before it is allocated. */
  checkFixedArray(count: number, minElementSize: number): void {
    if (count * minElementSize > this.end - this.pos) {
      this.fail(
        `array of ${count} needs at least ${count * minElementSize} bytes at offset ${this.pos}, have ${this.end - this.pos}`,
      );
    }
  }

  private skipPadding(n: number): void {
    const p = (4 - (n & 3)) & 3;
    for (let i = 0; i < p; i++) {
      if (this.bytes[this.pos + i] !== 0) this.fail("padding byte is not zero", this.pos + i);
    }
    this.pos += p;
  }

  /** Enters one level of a recursive type; throws past {@link maxDepth}. */
  enter(): void {
    if (++this.depth > this.maxDepth) {
      this.depth = 0;
      this.fail(`nesting deeper than ${this.maxDepth}`);
    }
  }

  leave(): void {
    this.depth--;
  }
}
