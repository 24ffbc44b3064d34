/**
 * Targets that misbehave on purpose, for the engine's own tests: each must end as exactly the
 * finding it stands for, so that a quiet fuzz run means something.
 */
import { decode, int, isXdrError } from "../../src/xdr/index.js";
import type { FuzzTarget } from "./engine/target.js";

const TEXT = new TextEncoder();

function fixture(name: string, seed: string, run: (input: Uint8Array) => void): FuzzTarget {
  return {
    name,
    summary: `misbehaves on purpose: ${name}`,
    maxLength: 64,
    timeLimitMs: 50,
    budget: () => ({ bytes: 4096, elements: 64 }),
    seeds: () => [TEXT.encode(seed)],
    run,
  };
}

const starts = (input: Uint8Array, text: string) =>
  new TextDecoder().decode(input).startsWith(text);

/** Throws a `TypeError` (not a documented error) for inputs starting with "crash". */
export const crashes = () =>
  fixture("crashes", "crash", (input) => {
    if (starts(input, "crash")) throw new TypeError("undocumented");
  });

/** Never returns for inputs starting with "hang". */
export const hangs = () =>
  fixture("hangs", "hang", (input) => {
    if (starts(input, "hang")) for (;;);
  });

/** Takes 200 ms (the limit is 50) for inputs starting with "slow". */
export const slow = () =>
  fixture("slow", "slow", (input) => {
    const until = performance.now() + 200;
    if (starts(input, "slow")) while (performance.now() < until);
  });

/** Allocates 1 MiB (the budget is 4 KiB) and then 10^6 array slots for inputs starting with "big". */
export const allocates = () =>
  fixture("allocates", "big", (input) => {
    if (!starts(input, "big")) return;
    if (new Uint8Array(1 << 20).length !== 1 << 20) throw new Error("unreachable");
    if (new Array(1_000_000).length !== 1_000_000) throw new Error("unreachable");
  });

/** Behaves: decodes an int (library code, so that there is coverage to measure). */
export const quiet = () =>
  fixture("quiet", "fine", (input) => {
    try {
      decode(int, input);
    } catch (e) {
      if (!isXdrError(e)) throw e;
    }
  });
