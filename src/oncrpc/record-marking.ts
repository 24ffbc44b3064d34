/**
 * Record marking for ONC RPC over byte streams (RFC 5531 §11).
 *
 * A record (one RPC message) is sent as one or more fragments, each preceded by a 4-byte header:
 * the high bit says "last fragment", the low 31 bits give the fragment's length. The
 * {@link RecordDecoder} is a state machine fed with whatever chunks the stream delivers; it
 * reassembles multi-fragment records, and refuses a record whose size would pass the configured
 * maximum as soon as a fragment header announces it — before a byte of it is buffered, so a
 * hostile length costs nothing. {@link frameRecord} writes records, splitting big ones.
 *
 * Pure: no I/O, no timers.
 */

/** The "last fragment" bit of a fragment header. */
export const LAST_FRAGMENT = 0x80000000;
/** The largest fragment length a header can carry (2^31 − 1). */
export const MAX_FRAGMENT_LENGTH = 0x7fffffff;

/** Why a stream of records cannot be read further (the connection must be closed). */
export interface RecordError {
  readonly kind: "too-big";
  /** Bytes the record would have had (at least), and the limit. */
  readonly size: number;
  readonly maxRecordSize: number;
}

/** Options of a {@link RecordDecoder}. */
export interface RecordDecoderOptions {
  /** Largest record accepted, all fragments together, in bytes. */
  readonly maxRecordSize: number;
}

/** Decoder states: reading a fragment header, a fragment body, or failed for good. */
const State = { Header: 0, Body: 1, Failed: 2 } as const;
type State = (typeof State)[keyof typeof State];

/**
 * Reassembles records from stream chunks (RFC 5531 §11).
 *
 * Contract: call {@link push} with each chunk in order; it calls `onRecord` once per complete
 * record, synchronously, and returns `null`, or a {@link RecordError} after which the decoder
 * stays failed. A record that arrived as one fragment inside one chunk is a view of that chunk
 * (no copy), so chunks must not be reused by the stream; other records are fresh arrays.
 * Memory held between chunks is bounded by the bytes actually received for the current record,
 * never by what a header claims.
 */
export class RecordDecoder {
  private readonly maxRecordSize: number;
  private state: State = State.Header;
  /** Header bytes collected so far (a header may span chunks). */
  private readonly header = new Uint8Array(4);
  private headerFill = 0;
  /** The current fragment: its length, whether it is the last, and bytes still to come. */
  private fragmentLength = 0;
  private fragmentLast = false;
  private fragmentLeft = 0;
  /** Pieces of the current record received so far (views of chunks), and their total size. */
  private pieces: Uint8Array[] = [];
  private recordSize = 0;
  private failure: RecordError | null = null;

  constructor(options: RecordDecoderOptions) {
    this.maxRecordSize = options.maxRecordSize;
  }

  /**
   * Bytes held for the record in progress (for memory accounting): what was received of it,
   * never what its fragment headers announce.
   */
  get bufferedBytes(): number {
    if (this.state === State.Failed) return 0;
    return this.state === State.Body ? this.recordSize - this.fragmentLeft : this.recordSize;
  }

  /** True between records: nothing of a next record has arrived (and not failed). */
  get idle(): boolean {
    return this.state === State.Header && this.headerFill === 0 && this.recordSize === 0;
  }

  /** Feeds one chunk; see the class contract. */
  push(chunk: Uint8Array, onRecord: (record: Uint8Array) => void): RecordError | null {
    if (this.state === State.Failed) return this.failure;
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (this.state === State.Header) {
        // Fast path: a whole header inside the chunk.
        if (this.headerFill === 0 && end - at >= 4) {
          const word =
            ((chunk[at]! << 24) |
              (chunk[at + 1]! << 16) |
              (chunk[at + 2]! << 8) |
              chunk[at + 3]!) >>>
            0;
          at += 4;
          const err = this.startFragment(word);
          if (err !== null) return err;
        } else {
          this.header[this.headerFill++] = chunk[at++]!;
          if (this.headerFill < 4) continue;
          this.headerFill = 0;
          const h = this.header;
          const word = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
          const err = this.startFragment(word);
          if (err !== null) return err;
        }
        if (this.fragmentLeft === 0) this.endFragment(onRecord);
        continue;
      }
      // Body: take what this chunk has of the fragment.
      const take = Math.min(this.fragmentLeft, end - at);
      const whole = this.pieces.length === 0 && take === this.fragmentLength && this.fragmentLast;
      if (whole) {
        // The record is this one fragment, inside this chunk: hand out a view.
        at += take;
        this.fragmentLeft = 0;
        this.state = State.Header;
        this.recordSize = 0;
        onRecord(chunk.subarray(at - take, at));
        continue;
      }
      this.pieces.push(chunk.subarray(at, at + take));
      at += take;
      this.fragmentLeft -= take;
      if (this.fragmentLeft === 0) this.endFragment(onRecord);
    }
    return null;
  }

  private startFragment(word: number): RecordError | null {
    const length = word & MAX_FRAGMENT_LENGTH;
    const size = this.recordSize + length;
    if (size > this.maxRecordSize) {
      this.state = State.Failed;
      this.pieces = [];
      this.failure = { kind: "too-big", size, maxRecordSize: this.maxRecordSize };
      return this.failure;
    }
    this.fragmentLength = length;
    this.fragmentLast = (word & LAST_FRAGMENT) !== 0;
    this.fragmentLeft = length;
    this.recordSize = size;
    this.state = State.Body;
    return null;
  }

  private endFragment(onRecord: (record: Uint8Array) => void): void {
    this.state = State.Header;
    if (!this.fragmentLast) return;
    const pieces = this.pieces;
    const size = this.recordSize;
    this.pieces = [];
    this.recordSize = 0;
    if (pieces.length === 1) {
      onRecord(pieces[0]!);
      return;
    }
    const record = new Uint8Array(size);
    let at = 0;
    for (const p of pieces) {
      record.set(p, at);
      at += p.length;
    }
    onRecord(record);
  }
}

/** Writes a fragment header into `buf` at `offset`. */
export function writeFragmentHeader(
  buf: Uint8Array,
  offset: number,
  length: number,
  last: boolean,
): void {
  const word = (last ? LAST_FRAGMENT : 0) | length;
  buf[offset] = word >>> 24;
  buf[offset + 1] = (word >>> 16) & 0xff;
  buf[offset + 2] = (word >>> 8) & 0xff;
  buf[offset + 3] = word & 0xff;
}

/**
 * Frames one record as fragments of at most `maxFragmentLength` bytes each, returning the
 * segments to write in order (headers and views of `payload`, no copy of the payload).
 */
export function frameRecord(payload: Uint8Array, maxFragmentLength: number): Uint8Array[] {
  if (maxFragmentLength < 1 || maxFragmentLength > MAX_FRAGMENT_LENGTH) {
    throw new RangeError(`bad maximum fragment length ${maxFragmentLength}`);
  }
  const out: Uint8Array[] = [];
  let at = 0;
  do {
    const length = Math.min(maxFragmentLength, payload.length - at);
    const header = new Uint8Array(4);
    writeFragmentHeader(header, 0, length, at + length === payload.length);
    out.push(header, payload.subarray(at, at + length));
    at += length;
  } while (at < payload.length);
  return out;
}
