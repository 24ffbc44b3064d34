import assert from "node:assert/strict";
import { test } from "node:test";
import { PayloadArena } from "./payload-arena.js";

const message = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test("a copy stays intact while held, whatever is copied after it", () => {
  const arena = new PayloadArena();
  const held = arena.copy(message(100, 7));
  const others: Uint8Array[] = [];
  // Enough to fill several slabs, releasing every copy but the first.
  for (let i = 0; i < 20_000; i++) {
    const c = arena.copy(message(100, i & 0xff));
    others.push(c);
    if (others.length > 3) arena.release(others.shift()!);
  }
  assert.deepEqual(held, message(100, 7));
  for (const c of others) assert.equal(c.length, 100);
});

test("once every copy is released the slab's memory is reused", () => {
  const arena = new PayloadArena();
  const a = arena.copy(message(40, 1));
  arena.release(a);
  const b = arena.copy(message(40, 2));
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.byteOffset, a.byteOffset);
  // While b is held, the next copy goes elsewhere.
  const c = arena.copy(message(40, 3));
  assert.notEqual(c.byteOffset, b.byteOffset);
  assert.deepEqual(b, message(40, 2));
});

test("a full slab is reused once its last copy is released, not before", () => {
  const arena = new PayloadArena();
  const first = arena.copy(message(8000, 9));
  const firstSlab = first.buffer;
  const rest: Uint8Array[] = [];
  // Fill the first slab (256 KiB) and move on to the next one.
  while (rest.length === 0 || rest[rest.length - 1]!.buffer === firstSlab)
    rest.push(arena.copy(message(8000, 1)));
  const second = rest[rest.length - 1]!.buffer;
  for (const c of rest.slice(0, -1)) arena.release(c);
  assert.deepEqual(first, message(8000, 9)); // still held: the first slab is not reused
  arena.release(first);
  // Fill the second slab: the third slab is the first one again.
  let next = arena.copy(message(8000, 2));
  while (next.buffer === second) next = arena.copy(message(8000, 2));
  assert.equal(next.buffer, firstSlab);
});

test("arrays the arena did not make are ignored on release", () => {
  const arena = new PayloadArena();
  const held = arena.copy(message(16, 5));
  arena.release(new Uint8Array(16));
  arena.release(arena.copy(message(20_000, 1))); // large: its own copy
  const next = arena.copy(message(16, 6));
  assert.notEqual(next.byteOffset, held.byteOffset);
  assert.deepEqual(held, message(16, 5));
});
