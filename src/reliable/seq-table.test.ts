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

test("SeqTable: a seq far ahead of few entries costs one entry, not a window-sized ring", () => {
  const t = new SeqTable<string>(8);
  t.set(1, "a");
  t.set(1000, "far");
  t.set(2, "b");
  assert.equal(t.size, 3);
  assert.equal(t.get(1000), "far");
  assert.equal(t.get(2), "b");
  assert.equal(t.lowest(), 1);
  assert.deepEqual(t.values(), ["a", "b", "far"]);
  t.set(1000, "far2");
  assert.equal(t.size, 3);
  assert.equal(t.delete(1), true);
  assert.equal(t.delete(2), true);
  assert.equal(t.lowest(), 1000);
  assert.deepEqual(t.values(), ["far2"]);
  assert.equal(t.delete(1000), true);
  assert.equal(t.size, 0);
  assert.equal(t.lowest(), -1);
  // Dense windows still grow the ring.
  for (let seq = 5000; seq < 5600; seq++) t.set(seq, String(seq));
  assert.equal(t.size, 600);
  assert.equal(t.get(5599), "5599");
  assert.equal(t.lowest(), 5000);
});
