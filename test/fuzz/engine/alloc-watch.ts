/**
 * Watches allocation sizes: while armed, every `new Uint8Array(n)`, `Uint8Array.from(x)`,
 * `new ArrayBuffer(n)`, `Buffer.alloc(n)` / `allocUnsafe(n)` and `new Array(n)` made anywhere in
 * the thread is measured, and the largest is kept. The fuzz loop compares it with the target's
 * budget for the input's length: a decoder that allocates for a length it read before checking
 * the bytes left shows up here even when it fails cleanly afterwards.
 *
 * It works by replacing the global constructors with functions that measure and then construct
 * the original (same prototype, same statics), so `instanceof`, `Array.isArray` and subclassing
 * keep working; code resolves these globals at call time. Installed once per fuzzing thread,
 * never in the test runner's main thread. Not covered: allocations inside Node's own modules
 * (they hold the originals), strings, and arrays grown by `push` (bounded by the work done).
 */

/** The largest allocations seen since the last {@link resetAllocations}. */
export interface AllocationPeak {
  bytes: number;
  elements: number;
}

const peak: AllocationPeak = { bytes: 0, elements: 0 };
let installed = false;
/** The budget of the input being run; the first allocation beyond it records where it happened. */
let limit: AllocationPeak = { bytes: Number.POSITIVE_INFINITY, elements: Number.POSITIVE_INFINITY };
let site: string | null = null;

function recordSite(): void {
  if (site !== null) return;
  const frames = (new Error().stack ?? "").split("\n").filter((l) => l.includes(" at "));
  site = frames.find((l) => /\/src\//.test(l))?.trim() ?? frames[3]?.trim() ?? "unknown";
}

function noteBytes(n: unknown): void {
  if (typeof n !== "number") return;
  if (n > peak.bytes) peak.bytes = n;
  if (n > limit.bytes) recordSite();
}

function wrapConstructor<C extends abstract new (...args: never[]) => unknown>(
  original: C,
  measure: (args: unknown[]) => void,
): C {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    measure(args);
    return Reflect.construct(original as unknown as Function, args, new.target ?? original);
  };
  Object.setPrototypeOf(wrapped, original);
  Object.defineProperty(wrapped, "prototype", { value: original.prototype });
  Object.defineProperty(wrapped, "name", { value: original.name });
  return wrapped as unknown as C;
}

/** Installs the measuring constructors in this thread (idempotent). */
export function installAllocationWatch(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as Record<string, unknown>;
  g.Uint8Array = wrapConstructor(Uint8Array, (args) => {
    const first = args[0];
    if (typeof first === "number") noteBytes(first);
    else if (first !== null && typeof first === "object" && "length" in first) {
      noteBytes((first as { length: unknown }).length);
    }
  });
  g.ArrayBuffer = wrapConstructor(ArrayBuffer, (args) => noteBytes(args[0]));
  g.Array = wrapConstructor(Array, (args) => {
    if (args.length === 1 && typeof args[0] === "number" && args[0] > peak.elements) {
      peak.elements = args[0];
      if (args[0] > limit.elements) recordSite();
    }
  });
  for (const method of ["alloc", "allocUnsafe", "allocUnsafeSlow"] as const) {
    const original = Buffer[method] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[method] = (size: number, ...rest: unknown[]) => {
      noteBytes(size);
      return original.call(Buffer, size, ...rest);
    };
  }
}

/** Starts a new measurement, against `budget` (whose first excess records its call site). */
export function resetAllocations(budget?: AllocationPeak): void {
  peak.bytes = 0;
  peak.elements = 0;
  limit = budget ?? { bytes: Number.POSITIVE_INFINITY, elements: Number.POSITIVE_INFINITY };
  site = null;
}

/** The stack frame (in `src/` when there is one) of the first allocation beyond the budget. */
export function allocationSite(): string | null {
  return site;
}

/** The largest allocations since {@link resetAllocations}. */
export function allocationPeak(): Readonly<AllocationPeak> {
  return peak;
}
