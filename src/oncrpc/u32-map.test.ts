import assert from "node:assert/strict";
import { test } from "node:test";
import { U32Map } from "./u32-map.js";

/** A small seeded generator, so a failure replays. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

test("U32Map behaves like a Map under random sets and deletes (seeds 1-4)", () => {
  for (const seed of [1, 2, 3, 4]) {
    const next = lcg(seed);
    const m = new U32Map<number>(4);
    const ref = new Map<number, number>();
    // Few distinct keys (collisions, long probe runs) and the extremes 0 and 2^32 − 1.
    const keyOf = () => {
      const r = next() % 10;
      if (r === 0) return 0;
      if (r === 1) return 0xffffffff;
      return seed === 4 ? next() >>> 0 : next() % 300;
    };
    for (let op = 0; op < 20_000; op++) {
      const k = keyOf();
      const r = next() % 3;
      if (r === 0) {
        assert.equal(m.delete(k), ref.delete(k), `seed ${seed} op ${op} delete ${k}`);
      } else {
        m.set(k, op);
        ref.set(k, op);
      }
      assert.equal(m.size, ref.size);
      const probe = keyOf();
      assert.equal(m.get(probe), ref.get(probe), `seed ${seed} op ${op} get ${probe}`);
    }
    for (const [k, v] of ref) assert.equal(m.get(k), v);
    assert.deepEqual(
      m.valuesArray().sort((a, b) => a - b),
      [...ref.values()].sort((a, b) => a - b),
    );
    m.clear();
    assert.equal(m.size, 0);
    for (const k of ref.keys()) assert.equal(m.get(k), undefined);
  }
});
