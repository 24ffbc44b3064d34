/**
 * The one error type of the XDR layer (RFC 4506).
 *
 * Every failure to encode or decode — a length beyond its bound, bytes missing, a bad
 * discriminant, a value out of range — is an `XdrError` whose message names the field path
 * and the byte offset, for example `fattr3.size: need 8 bytes at offset 92, have 4`.
 *
 * Decoders build the path from the inside out: the reader throws with the offset and the
 * detail, and each enclosing struct, union or array decoder prepends its segment through
 * {@link XdrError.at} on the way out. Nothing is paid for paths on the success path.
 */
export class XdrError extends Error {
  override readonly name = "XdrError";
  /** What went wrong, without the path: `need 8 bytes at offset 92, have 4`. */
  readonly detail: string;
  /** Byte offset in the input (decode) or output (encode) where it went wrong. */
  readonly offset: number;
  /** Outermost type name seen so far, e.g. `fattr3`; empty until a typed decoder adds it. */
  root = "";
  /** Field path below {@link root}: `["size"]`, `["entries", "[3]", "name"]`. */
  readonly path: string[] = [];

  constructor(detail: string, offset: number) {
    super(detail);
    this.detail = detail;
    this.offset = offset;
  }

  /**
   * Adds one level of context to `error` (or turns a stray exception into an `XdrError`) and
   * returns it, for the caller to rethrow. `type` is the enclosing type's name, `segment` the
   * field (`size`) or element (`[3]`) being processed when the error happened, and `index`
   * (when ≥ 0) the element of that field's array: `at(e, "dir", "entries", 3)` adds
   * `entries[3]` (generated codecs keep one index variable, -1 outside arrays).
   */
  static at(error: unknown, type: string, segment?: string, index?: number): XdrError {
    const e =
      error instanceof XdrError
        ? error
        : new XdrError(
            error instanceof RangeError && /call stack/i.test(error.message)
              ? "nesting too deep"
              : `unexpected ${String(error)}`,
            -1,
          );
    if (index !== undefined && index >= 0) e.path.unshift(`[${index}]`);
    if (segment !== undefined) e.path.unshift(segment);
    if (type !== "") e.root = type;
    e.message = e.describe();
    return e;
  }

  /** `root.path: detail`, with array indexes attached to the field before them. */
  describe(): string {
    let where = this.root;
    for (const p of this.path) {
      where += p.startsWith("[") || where === "" ? p : `.${p}`;
    }
    return where === "" ? this.detail : `${where}: ${this.detail}`;
  }
}

/** True for an `XdrError` from any copy of this package (checks the shape, not the class). */
export function isXdrError(e: unknown): e is XdrError {
  return (
    e instanceof XdrError ||
    (e instanceof Error &&
      e.name === "XdrError" &&
      typeof (e as { offset?: unknown }).offset === "number")
  );
}
