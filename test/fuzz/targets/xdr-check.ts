/**
 * The checks every XDR target makes: decoding fails only with `XdrError`, and a value that did
 * decode re-encodes, decodes again to an equal value, and re-encodes to the same bytes (the
 * first re-encoding may differ from the input only where decoding is documented to be lossy:
 * invalid UTF-8 becomes U+FFFD, and a float's NaN payload is the platform's).
 */
import { isDeepStrictEqual } from "node:util";
import { decode, encode, isXdrError, type XdrCodec } from "../../../src/xdr/index.js";
import { CheckFailed, check } from "../engine/target.js";

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a decoded value holds a string with U+FFFD (from invalid UTF-8). */
function hasReplacement(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\uFFFD");
  if (value === null || typeof value !== "object" || depth > 4000) return false;
  if (value instanceof Uint8Array) return false;
  for (const v of Object.values(value)) if (hasReplacement(v, depth + 1)) return true;
  return false;
}

/** Decodes `bytes` with `codec` and checks the result; returns whether it decoded. */
export function checkDecode<T>(codec: XdrCodec<T>, bytes: Uint8Array): boolean {
  let value: T;
  try {
    value = decode(codec, bytes);
  } catch (e) {
    if (isXdrError(e)) return false;
    throw e;
  }
  let again: Uint8Array;
  try {
    again = encode(codec, value);
  } catch (e) {
    // Documented: invalid UTF-8 decodes to U+FFFD (3 bytes each), which can exceed the bound.
    if (isXdrError(e) && /string longer than its bound/.test(e.message) && hasReplacement(value)) {
      return true;
    }
    throw new CheckFailed(`${codec.name}: a decoded value does not re-encode: ${String(e)}`);
  }
  check(again.length % 4 === 0, `${codec.name}: re-encoding is not a multiple of 4 bytes`);
  const second = decode(codec, again);
  check(isDeepStrictEqual(second, value), `${codec.name}: decode(encode(v)) differs from v`);
  check(sameBytes(encode(codec, second), again), `${codec.name}: encoding is not stable`);
  return true;
}

/** The `xdr_*` codecs generated modules export, with their names, sorted by name. */
export function codecEntries(
  ...modules: Record<string, unknown>[]
): [name: string, codec: XdrCodec<unknown>][] {
  const byName = new Map<string, XdrCodec<unknown>>();
  for (const m of modules) {
    for (const [name, value] of Object.entries(m)) {
      if (name.startsWith("xdr_") && typeof value === "object" && value !== null) {
        byName.set(name, value as XdrCodec<unknown>);
      }
    }
  }
  return [...byName.keys()].sort().map((k) => [k, byName.get(k)!]);
}

/** The codecs of {@link codecEntries}, in the same order (an input's first 2 bytes index it). */
export function codecsOf(...modules: Record<string, unknown>[]): XdrCodec<unknown>[] {
  return codecEntries(...modules).map(([, codec]) => codec);
}
