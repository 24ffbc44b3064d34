import assert from "node:assert/strict";
import { test } from "node:test";
import { SeqTable } from "./seq-table.js";

test("SeqTable behaves like a Map over a sliding window of seqs, growing as the window does", () => {
  let s = 7;
  const rand = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const t = new SeqTable<number>(2);
  const ref = new Map<number, number>();
  let next = 0xfffff000; // near 2^32, to cover large seqs
  for (let op = 0; op < 30_000; op++) {
    const r = rand(10);
    if (r < 5) {
      t.set(next, op);
      ref.set(next, op);
      next += 1 + (rand(4) === 0 ? rand(50) : 0);
    } else if (r < 9 && ref.size > 0) {
      // Mostly the oldest (calls settle roughly in order), sometimes any.
      const keys = [...ref.keys()];
      const k = rand(3) === 0 ? keys[rand(keys.length)]! : Math.min(...keys);
      assert.equal(t.delete(k), true);
      ref.delete(k);
    } else {
      assert.equal(t.delete(next + 5), false);
    }
    assert.equal(t.size, ref.size);
    const lowest = ref.size === 0 ? -1 : Math.min(...ref.keys());
    assert.equal(t.lowest(), lowest, `op ${op}`);
    const probe = next - rand(100);
    assert.equal(t.get(probe), ref.get(probe));
  }
  assert.deepEqual(
    t.values(),
    [...ref.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]),
  );
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.lowest(), -1);
});
